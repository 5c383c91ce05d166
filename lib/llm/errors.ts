// What went wrong with a provider, in words a user can act on, and whether trying again may help.
import { AppError } from "@/lib/errors";
import { OutboundRefusedError } from "@/lib/net/outbound";

export class LlmError extends AppError {
  readonly retryable: boolean;
  readonly status?: number;
  /** The provider's Retry-After, when it sent one. */
  readonly retryAfterMs?: number;

  constructor(message: string, options: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown }) {
    // Settings problems (key, model, URL) are the user's to fix; the rest is the provider's state.
    super(options.retryable ? "unavailable" : "invalid_input", message, { cause: options.cause });
    this.name = "LlmError";
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The forms a secret may come back in: as is, base64 (alone or in Basic auth), hex, URL-encoded. */
function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const base64 = bytes.toString("base64");
  const forms = [secret, base64, base64.replace(/=+$/, ""), bytes.toString("base64url"), bytes.toString("hex"), encodeURIComponent(secret)];
  // base64 of a string shifted by one or two bytes (inside "user:key") shares no prefix with the
  // key's own, so the key's middle, encoded at each alignment, is matched as well.
  for (const shift of [1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    forms.push(shifted.slice(4, shifted.length - 4));
  }
  return [...new Set(forms.filter((form) => form.length >= 8))].sort((a, b) => b.length - a.length);
}

/** Removes a key (and any bearer token), in plain or encoded form, from text that came back from a provider. */
export function scrub(text: string, secret?: string): string {
  let out = text.replace(/(Bearer|Basic)\s+[^\s"',}]+/gi, "$1 [redacted]");
  if (!secret) return out;
  for (const form of secretForms(secret)) out = out.split(form).join("[redacted]");
  for (const form of secretForms(secret)) out = out.split(form.toUpperCase()).join("[redacted]");
  return out;
}

const RETRY_AFTER_CAP_MS = 60_000;

function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS) : undefined;
}

export function httpFailure(status: number, context: { model?: string; detail?: string; retryAfter?: string | null }): LlmError {
  const detail = context.detail ? `: ${context.detail.slice(0, 300)}` : ".";
  if (status === 401 || status === 403) return new LlmError("The provider refused the API key.", { retryable: false, status });
  if (status === 404 && context.model) return new LlmError(`Model "${context.model}" was not found on the provider.`, { retryable: false, status });
  if (status === 429) {
    return new LlmError("The provider is limiting requests (HTTP 429). Lower the requests per minute or try again later.", {
      retryable: true,
      status,
      retryAfterMs: parseRetryAfter(context.retryAfter),
    });
  }
  if (status === 408) return new LlmError("The provider timed out (HTTP 408).", { retryable: true, status });
  if (status >= 500) return new LlmError(`The provider failed (HTTP ${status})${detail}`, { retryable: true, status });
  return new LlmError(`The provider rejected the request (HTTP ${status})${detail}`, { retryable: false, status });
}

/** Codes and messages along the cause chain (fetch wraps the socket error; SDKs wrap fetch's). */
function chain(error: unknown): { codes: string[]; text: string } {
  const codes: string[] = [];
  const messages: string[] = [];
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string") codes.push(code);
    if (typeof message === "string") messages.push(message);
  }
  if (typeof error === "string") messages.push(error);
  return { codes, text: messages.join(" | ") };
}

const DROPPED = /ECONNRESET|EPIPE|UND_ERR_SOCKET|socket hang up|terminated|other side closed|Connection error|did not receive done/i;

/** A failure without an HTTP error status: the connection, or something unexpected. */
export function networkFailure(error: unknown, where: string, secret?: string): LlmError {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof OutboundRefusedError) return new LlmError(e.message, { retryable: false, cause: error });
  }
  const { codes, text } = chain(error);
  const has = (code: string) => codes.includes(code) || text.includes(code);
  if (has("ECONNREFUSED")) return new LlmError(`Could not reach ${where} (connection refused).`, { retryable: true, cause: error });
  if (has("ENOTFOUND")) return new LlmError(`Could not reach ${where} (host not found).`, { retryable: false, cause: error });
  if (has("EAI_AGAIN")) return new LlmError(`Could not reach ${where} (name lookup failed).`, { retryable: true, cause: error });
  if (has("ETIMEDOUT") || has("UND_ERR_CONNECT_TIMEOUT")) {
    return new LlmError(`Could not reach ${where} (connection timed out).`, { retryable: true, cause: error });
  }
  if (DROPPED.test(text) || codes.some((c) => DROPPED.test(c))) {
    return new LlmError(`The connection to ${where} dropped before the answer was complete.`, { retryable: true, cause: error });
  }
  if (/fetch failed/i.test(text)) return new LlmError(`Could not reach ${where}.`, { retryable: true, cause: error });
  return new LlmError(`The provider call failed: ${scrub(text || String(error), secret).slice(0, 300)}`, { retryable: false, cause: error });
}
