import { describe, expect, it } from "vitest";
import { safeCallbackPath, sameOriginRedirect } from "./redirect";

describe("safeCallbackPath (issue 13, finding 5: open redirect)", () => {
  it.each([
    "//other-host/phish",
    "/\\other-host/phish",
    "/%2F%2Fother-host/phish",
    "%2F%2Fother-host",
    "/%5Cother-host",
    "/%252F%252Fother-host",
    "https://other-host/x",
    "javascript:alert(1)",
    "/\t/other-host",
    "",
  ])("refuses %j", (raw) => {
    expect(safeCallbackPath(raw)).toBe("/");
  });

  it("keeps same-site paths with their query and fragment", () => {
    expect(safeCallbackPath("/w/acme/p/123?tab=runs#top")).toBe("/w/acme/p/123?tab=runs#top");
    expect(safeCallbackPath("/invite/abc")).toBe("/invite/abc");
  });

  it("next-auth's redirect stays on the app's origin", () => {
    const base = "http://127.0.0.1:3000";
    expect(sameOriginRedirect("https://other-host/x", base)).toBe(base);
    expect(sameOriginRedirect("//other-host/x", base)).toBe(`${base}/`);
    expect(sameOriginRedirect(`${base}/w/acme`, base)).toBe(`${base}/w/acme`);
    expect(sameOriginRedirect("/w/acme", base)).toBe(`${base}/w/acme`);
  });
});
