// The instance's administrator: whoever runs the server, as opposed to anyone who can sign up.
// Named in ADMIN_EMAILS, or, where that is unset, the first account created (on the one-machine
// install that is the person who ran `npm start` and signed up first). Only they may put work on
// the server's own machine ("This server" runners).
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";

export function adminEmails(): string[] | undefined {
  const raw = env().ADMIN_EMAILS;
  return raw
    ? raw
        .split(",")
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean)
    : undefined;
}

export async function isInstanceAdmin(user: { id: string; email: string }): Promise<boolean> {
  const named = adminEmails();
  if (named) return named.includes(user.email.toLowerCase());
  const first = await db.user.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } });
  return first?.id === user.id;
}
