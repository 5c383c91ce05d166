import { describe, expect, it } from "vitest";
import { parseNoProxy, proxyAuthorization, proxyFor } from "./proxy";

const settings = (noProxy = "", extra: { http?: string; https?: string } = {}) => ({
  http: "http://proxy.corp:3128",
  https: "http://proxy.corp:3129",
  noProxy,
  ...extra,
});

describe("proxyFor", () => {
  it("picks HTTP_PROXY for http:// and HTTPS_PROXY for https://", () => {
    expect(proxyFor(new URL("http://api.example.com/v1"), settings())?.href).toBe("http://proxy.corp:3128/");
    expect(proxyFor(new URL("https://huggingface.co/api"), settings())?.href).toBe("http://proxy.corp:3129/");
    expect(proxyFor(new URL("https://huggingface.co/api"), settings("", { https: undefined }))).toBeUndefined();
  });

  it("reads a scheme-less proxy as http://, and refuses socks", () => {
    expect(proxyFor(new URL("http://a.example"), settings("", { http: "proxy.corp:8080" }))?.href).toBe("http://proxy.corp:8080/");
    expect(() => proxyFor(new URL("http://a.example"), settings("", { http: "socks5://proxy.corp:1080" }))).toThrow(/only http:\/\/ and https:\/\/ proxies/);
  });

  it.each([
    ["example.com", "http://example.com/", true],
    ["example.com", "http://api.example.com/", true],
    ["example.com", "http://notexample.com/", false],
    [".example.com", "http://api.example.com/", true],
    ["*.example.com", "https://api.example.com/", true],
    ["example.com:8443", "https://example.com:8443/", true],
    ["example.com:8443", "https://example.com/", false],
    ["10.0.0.0/8", "http://10.1.2.3:11434/", true],
    ["10.0.0.0/8", "http://11.1.2.3/", false],
    ["127.0.0.1", "http://127.0.0.1:11434/", true],
    ["[::1]:11434", "http://[::1]:11434/", true],
    ["::1", "http://[::1]:8000/", true],
    ["localhost, internal.corp", "http://INTERNAL.corp/", true],
    ["*", "https://anything.example/", true],
    ["not/a/cidr", "http://not/", false],
  ])("NO_PROXY=%s: %s bypasses the proxy: %s", (noProxy, target, bypass) => {
    expect(proxyFor(new URL(target), settings(noProxy)) === undefined).toBe(bypass);
  });

  it("parses NO_PROXY lists separated by commas or spaces", () => {
    expect(parseNoProxy("a.example b.example,,c.example")).toHaveLength(3);
  });
});

describe("proxyAuthorization", () => {
  it("sends the proxy URL's credentials, decoded, as Basic", () => {
    expect(proxyAuthorization(new URL("http://me%40corp:p%3Ass@proxy.corp:3128"))).toBe(`Basic ${Buffer.from("me@corp:p:ss").toString("base64")}`);
    expect(proxyAuthorization(new URL("http://proxy.corp:3128"))).toBeUndefined();
  });
});
