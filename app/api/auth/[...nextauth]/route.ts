import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

// next-auth builds its handler per request so that configuration errors surface as responses.
function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return NextAuth(authOptions())(request, context);
}

export { handler as GET, handler as POST };
