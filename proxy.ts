// Runs before every request: adds the Content-Security-Policy, which names the storage bucket
// browsers upload to (a run-time setting, so not in next.config.ts's headers, fixed at build).
import { NextResponse } from "next/server";
import { env } from "@/lib/env";
import { contentSecurityPolicy, storageOrigins } from "@/lib/http/security-headers";

let policy: string | undefined;

export function proxy() {
  policy ??= contentSecurityPolicy(env().NODE_ENV !== "production", storageOrigins(env()));
  const response = NextResponse.next();
  response.headers.set("Content-Security-Policy", policy);
  return response;
}
