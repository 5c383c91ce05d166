// Facts about the current request, for server actions (which get no Request object).
import { headers } from "next/headers";
import { env } from "@/lib/env";
import { addressFromHeaders } from "./client-address";

/** The address people use to reach the app: APP_URL, or the request's own host. */
export async function requestOrigin(): Promise<string> {
  const configured = env().APP_URL;
  if (configured) return configured.replace(/\/$/, "");
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? `localhost:${env().PORT}`;
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}

/** The client's address, as our web server (or the platform's edge) vouched for it. */
export async function requestIp(): Promise<string | null> {
  const h = await headers();
  return addressFromHeaders((name) => h.get(name));
}
