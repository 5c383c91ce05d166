import { describe, expect, it } from "vitest";
import { clientAddress, normaliseForwardedHeaders } from "./client-address";

describe("the client's address", () => {
  it("is the socket's when no proxy is trusted, whatever the request claims", () => {
    expect(clientAddress("1.2.3.4", "10.0.0.5", 0)).toBe("10.0.0.5");
    expect(clientAddress(undefined, "::ffff:127.0.0.1", 0)).toBe("127.0.0.1");
    const headers: Record<string, string | string[] | undefined> = {
      "x-forwarded-for": "6.6.6.6",
      "x-real-ip": "7.7.7.7",
      "x-forwarded-host": "evil.example",
      forwarded: "for=8.8.8.8",
    };
    normaliseForwardedHeaders(headers, "10.0.0.5", 0);
    expect(headers).toEqual({ "x-forwarded-for": "10.0.0.5" });
  });

  it("is the nth address from the right of the chain behind n trusted proxies", () => {
    // A client that sends its own X-Forwarded-For gets it prepended to by the proxy.
    expect(clientAddress("6.6.6.6, 203.0.113.5", "10.0.0.2", 1)).toBe("203.0.113.5");
    expect(clientAddress(["6.6.6.6", "203.0.113.5, 10.0.0.3"], "10.0.0.2", 2)).toBe("203.0.113.5");
    // Fewer addresses than hops: the leftmost is the best we have.
    expect(clientAddress(undefined, "10.0.0.2", 1)).toBe("10.0.0.2");
    const headers: Record<string, string | string[] | undefined> = {
      "x-forwarded-for": "6.6.6.6, 203.0.113.5",
      "x-forwarded-proto": "https",
      "x-real-ip": "6.6.6.6",
    };
    normaliseForwardedHeaders(headers, "10.0.0.2", 1);
    expect(headers).toEqual({ "x-forwarded-for": "203.0.113.5", "x-forwarded-proto": "https" });
  });
});
