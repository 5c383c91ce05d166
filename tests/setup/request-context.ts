// Server actions and route handlers are called in-process by the integration tests. Next's
// request store does not exist there, so `next/headers` reads the test request (with a real
// session cookie) and `next/cache` revalidation is a no-op. Our database and queue are real.
import { vi } from "vitest";
import { currentTestRequest } from "../support/request";

vi.mock("next/headers", () => ({
  cookies: async () => {
    const jar = currentTestRequest().cookies;
    return {
      get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined),
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      has: (name: string) => jar.has(name),
      set: (name: string, value: string) => void jar.set(name, value),
      delete: (name: string) => void jar.delete(name),
    };
  },
  headers: async () => {
    const headers = new Headers(currentTestRequest().headers);
    const cookie = [...currentTestRequest().cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (cookie) headers.set("cookie", cookie);
    return headers;
  },
}));

vi.mock("next/cache", () => ({
  revalidatePath: () => {},
  revalidateTag: () => {},
}));
