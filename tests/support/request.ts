// The request that in-process calls of server actions and route handlers run in: a real
// next-auth session cookie (signed JWT), read back through next-auth's own decoding.
import { decode, encode } from "next-auth/jwt";

export const SESSION_COOKIE = "next-auth.session-token";

type TestRequest = { cookies: Map<string, string>; headers: Headers };

const state = globalThis as unknown as { __ftfTestRequest?: TestRequest };

export function currentTestRequest(): TestRequest {
  state.__ftfTestRequest ??= { cookies: new Map(), headers: new Headers({ host: "localhost:3000" }) };
  return state.__ftfTestRequest;
}

export async function sessionToken(user: { id: string; email: string; name?: string | null }): Promise<string> {
  return encode({
    token: { sub: user.id, uid: user.id, email: user.email, name: user.name ?? null },
    secret: process.env.AUTH_SECRET!,
  });
}

/** The id of the user the following in-process calls run as, or null when signed out. */
export async function currentTestActorId(): Promise<string | null> {
  const token = currentTestRequest().cookies.get(SESSION_COOKIE);
  if (!token) return null;
  const payload = await decode({ token, secret: process.env.AUTH_SECRET! });
  return typeof payload?.uid === "string" ? payload.uid : null;
}

/** Makes the following in-process calls run as this user. */
export async function actAs(user: { id: string; email: string; name?: string | null } | null): Promise<void> {
  const request = currentTestRequest();
  request.cookies.clear();
  if (user) request.cookies.set(SESSION_COOKIE, await sessionToken(user));
}

/** A Request carrying the current session cookie, for calling route handlers in-process. */
export function requestWithSession(url: string, init: RequestInit = {}): Request {
  const cookie = [...currentTestRequest().cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const headers = new Headers(init.headers);
  if (cookie) headers.set("cookie", cookie);
  return new Request(new URL(url, "http://localhost:3000"), { ...init, headers });
}
