// Facts about the current request, for server actions (which get no Request object).
import { headers } from "next/headers";
import { env } from "@/lib/env";

/** The address people use to reach the app: APP_URL, or the request's own host. */
export async function requestOrigin(): Promise<string> {
  const configured = env().APP_URL;
  if (configured) return configured.replace(/\/$/, "");
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? `localhost:${env().PORT}`;
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}

export async function requestIp(): Promise<string | null> {
  const h = await headers();
  return h.get("x-forwarded-for")?.split(",")[0].trim().slice(0, 64) ?? h.get("x-real-ip")?.slice(0, 64) ?? null;
}
