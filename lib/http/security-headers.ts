// Headers every response carries: the fixed ones from next.config.ts, the CSP from proxy.ts at
// request time (it names the storage bucket browsers upload to, a run-time setting). The CSP
// allows inline scripts and styles because Next's App Router inlines its bootstrap and React
// streams inline scripts; everything else, framing above all, is limited to this site.
import type { Env } from "@/lib/env";

/**
 * Where browsers send files with S3 storage (presigned PUTs, lib/sources/direct-upload): the
 * bucket's public address, or AWS's own for the bucket and region.
 */
export function storageOrigins(e: Pick<Env, "STORAGE_DRIVER" | "S3_PUBLIC_ENDPOINT" | "S3_ENDPOINT" | "S3_BUCKET" | "S3_REGION">): string[] {
  if (e.STORAGE_DRIVER !== "s3") return [];
  const endpoint = e.S3_PUBLIC_ENDPOINT ?? e.S3_ENDPOINT;
  if (endpoint) return [new URL(endpoint).origin];
  return [`https://${e.S3_BUCKET}.s3.${e.S3_REGION}.amazonaws.com`, `https://s3.${e.S3_REGION}.amazonaws.com`];
}

export function contentSecurityPolicy(dev: boolean, connectTo: string[] = []): string {
  return [
    "default-src 'self'",
    // Next's dev server evaluates modules (React Refresh); production never does.
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    ["connect-src 'self'", ...connectTo].join(" "),
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The headers that do not depend on settings (next.config.ts sends them with every response). */
export function securityHeaders(): Array<{ key: string; value: string }> {
  return [
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  ];
}
