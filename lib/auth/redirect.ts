// Where to send someone after signing in or up: a path on this site, never another host. A value
// that only has to "start with /" lets `//evil.example` or `/\evil.example` (which browsers read
// as another host) through; so the path is resolved against a placeholder origin and must stay on
// it, after undoing any percent-encoding an attacker layered on.

const PLACEHOLDER = "http://finetuneflow.invalid";

export function safeCallbackPath(raw: unknown, fallback = "/"): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return fallback;
  let decoded = raw;
  for (let round = 0; round < 3; round++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return fallback;
    }
    if (next === decoded) break;
    decoded = next;
  }
  for (const form of [raw, decoded]) {
    // Browsers treat "\" as "/" and drop tabs and newlines from URLs.
    if (!form.startsWith("/") || form.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(form)) return fallback;
  }
  let url: URL;
  try {
    url = new URL(raw, PLACEHOLDER);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** next-auth's redirect callback: same-origin targets only. */
export function sameOriginRedirect(url: string, baseUrl: string): string {
  if (url.startsWith("/")) return `${baseUrl}${safeCallbackPath(url)}`;
  try {
    if (new URL(url).origin === new URL(baseUrl).origin) return url;
  } catch {
    // Not a URL: fall through to the home page.
  }
  return baseUrl;
}
