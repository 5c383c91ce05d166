// Reading a model's metadata from the Hugging Face Hub (or the mirror HF_ENDPOINT names) through
// @huggingface/hub, and turning the Hub's refusals into messages a user can act on.
import { downloadFile, HubApiError, modelInfo, parseSafetensorsMetadata } from "@huggingface/hub";
import { z } from "zod";
import { env } from "@/lib/env";
import { AppError, type ErrorCode } from "@/lib/errors";
import { scrub } from "@/lib/llm/errors";
import { outboundFetch } from "@/lib/net/proxy";

export const HUB_TIMEOUT_MS = 30_000;

export type HubClientOptions = { token?: string; endpoint?: string; signal?: AbortSignal; timeoutMs?: number };

/** What every @huggingface/hub call takes (spread it into the call), plus the caller's signal. */
export type HubClient = {
  hubUrl: string;
  accessToken?: string;
  fetch: typeof fetch;
  /** The caller's own signal: when it fired, its reason is rethrown as is. */
  callerSignal?: AbortSignal;
  timeoutMs: number;
};

export function hubEndpoint(endpoint?: string): string {
  return (endpoint ?? env().HF_ENDPOINT).replace(/\/+$/, "");
}

/** Every request of a client shares one deadline and the caller's signal. */
export function hubClient(options: HubClientOptions = {}): HubClient {
  const timeoutMs = options.timeoutMs ?? HUB_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  return {
    hubUrl: hubEndpoint(options.endpoint),
    accessToken: options.token?.trim() || undefined,
    fetch: (input, init) => outboundFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    callerSignal: options.signal,
    timeoutMs,
  };
}

/** Hub calls only take the connection part of a client. */
export function hubParams(client: HubClient): { hubUrl: string; accessToken?: string; fetch: typeof fetch } {
  return { hubUrl: client.hubUrl, fetch: client.fetch, ...(client.accessToken ? { accessToken: client.accessToken } : {}) };
}

/** @huggingface/hub refuses (with a TypeError) any token that does not start with this. */
export const isWellFormedToken = (token: string) => token.startsWith("hf_");

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|UND_ERR|fetch failed|socket hang up|other side closed/i;

/** A failure to talk to the Hub at all (no HTTP answer), found anywhere along the cause chain. */
export function isUnreachable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if ((typeof code === "string" && UNREACHABLE.test(code)) || (typeof message === "string" && UNREACHABLE.test(message))) return true;
  }
  return false;
}

export const isTimeout = (error: unknown) => error instanceof Error && error.name === "TimeoutError";

/** The Hub's own words from a refusal ({"error": "..."}), without any token in them. */
export function hubMessage(error: HubApiError, token?: string): string {
  const said = typeof error.data?.error === "string" ? error.data.error : typeof error.data?.message === "string" ? error.data.message : "";
  return scrub(said, token).slice(0, 300);
}

export type ModelInfoFailure = "invalid_id" | "not_found" | "gated" | "token_refused" | "unsupported" | "unavailable";

const FAILURE_CODES: Record<ModelInfoFailure, ErrorCode> = {
  invalid_id: "invalid_input",
  not_found: "not_found",
  gated: "forbidden",
  token_refused: "invalid_input",
  unsupported: "invalid_input",
  unavailable: "unavailable",
};

export class ModelInfoError extends AppError {
  readonly reason: ModelInfoFailure;

  constructor(reason: ModelInfoFailure, message: string, options: { cause?: unknown } = {}) {
    super(FAILURE_CODES[reason], message, options);
    this.name = "ModelInfoError";
    this.reason = reason;
  }
}

type FailureContext = { modelId: string; client: HubClient; gated?: false | "auto" | "manual"; revision?: string };

function notFound(context: FailureContext, cause?: unknown): ModelInfoError {
  const revision = context.revision ? ` at revision "${context.revision}"` : "";
  const privateHint = context.client.accessToken ? "" : " A private model also needs a Hugging Face token in workspace settings.";
  return new ModelInfoError(
    "not_found",
    `Model "${context.modelId}"${revision} was not found on the Hugging Face Hub; check the id, e.g. "meta-llama/Llama-3.1-8B".${privateHint}`,
    { cause },
  );
}

function gatedFailure(context: FailureContext, cause: unknown): ModelInfoError {
  const page = `${context.client.hubUrl}/${context.modelId}`;
  const message = context.client.accessToken
    ? `Your Hugging Face token has no access to the gated model "${context.modelId}" yet: accept the license on the model page (${page}) with the account that owns the token${context.gated === "manual" ? " and wait for the authors' approval" : ""}, then try again.`
    : `"${context.modelId}" is a gated model: accept the license on the model page (${page}) and add a Hugging Face token in workspace settings.`;
  return new ModelInfoError("gated", message, { cause });
}

/** Any failure of a Hub read, as a ModelInfoError; the caller's own abort passes through untouched. */
function modelInfoFailure(error: unknown, context: FailureContext): unknown {
  const { client } = context;
  if (client.callerSignal?.aborted) return client.callerSignal.reason;
  if (error instanceof ModelInfoError) return error;
  if (isTimeout(error)) {
    return new ModelInfoError(
      "unavailable",
      `The Hugging Face Hub at ${client.hubUrl} did not answer within ${Math.round(client.timeoutMs / 1000)} s; try again.`,
      { cause: error },
    );
  }
  if (error instanceof HubApiError) {
    const { statusCode: status } = error;
    if ((status === 401 || status === 403) && context.gated) return gatedFailure(context, error);
    // The Hub answers 401 to an anonymous caller for a repo it cannot show (missing or private),
    // and 401 to a signed-in one only when the token itself is refused.
    if (status === 401 && client.accessToken) {
      return new ModelInfoError(
        "token_refused",
        `The Hugging Face token in workspace settings was refused; create a new one at ${client.hubUrl}/settings/tokens.`,
        { cause: error },
      );
    }
    if (status === 401 || status === 403 || status === 404) return notFound(context, error);
    if (status === 429)
      return new ModelInfoError("unavailable", "The Hugging Face Hub is limiting requests (HTTP 429); try again in a minute.", { cause: error });
    if (status >= 500) return new ModelInfoError("unavailable", `The Hugging Face Hub failed (HTTP ${status}); try again later.`, { cause: error });
    return new ModelInfoError("unavailable", `The Hugging Face Hub refused the request (HTTP ${status}): ${hubMessage(error, client.accessToken)}`, {
      cause: error,
    });
  }
  if (isUnreachable(error)) {
    return new ModelInfoError("unavailable", `Could not reach the Hugging Face Hub at ${client.hubUrl}; check the server's internet access (or HF_ENDPOINT).`, {
      cause: error,
    });
  }
  return error;
}

const count = z.number().int().nonnegative();

const modelApiSchema = z.object({
  name: z.string(),
  sha: z.string().min(1),
  gated: z.union([z.literal(false), z.enum(["auto", "manual"])]).catch(false),
  cardData: z
    .object({ license: z.union([z.string(), z.array(z.string())]).optional(), license_name: z.string().optional() })
    .optional()
    .catch(undefined),
  tags: z.array(z.string()).optional().catch(undefined),
  safetensors: z
    .object({ total: count, parameters: z.record(z.string(), count) })
    .optional()
    .catch(undefined),
});

export type ParameterCount = { total: number; byDtype: Record<string, number> };

export type ModelApiInfo = {
  id: string;
  /** The commit the revision resolved to: every later read uses it, so all of them see one state. */
  sha: string;
  gated: false | "auto" | "manual";
  license: string | null;
  /** What the Hub computed from the safetensors headers, when it has. */
  parameters: ParameterCount | null;
};

/** `license: other` points at `license_name`; otherwise the card's license, or the `license:` tag. */
function licenseOf(api: z.infer<typeof modelApiSchema>): string | null {
  const card = api.cardData?.license;
  const license = Array.isArray(card) ? card[0] : card;
  if (license === "other" && api.cardData?.license_name) return api.cardData.license_name;
  return license ?? api.tags?.find((tag) => tag.startsWith("license:"))?.slice("license:".length) ?? null;
}

/** `/api/models/{id}/revision/{rev}`: the commit, gating, license and the Hub's parameter count. */
export async function readModelApi(modelId: string, client: HubClient, revision?: string): Promise<ModelApiInfo> {
  try {
    const raw = await modelInfo({
      name: modelId,
      revision,
      additionalFields: ["sha", "cardData", "tags", "safetensors"],
      ...hubParams(client),
    });
    const api = modelApiSchema.parse(raw);
    return {
      id: api.name,
      sha: api.sha,
      gated: api.gated,
      license: licenseOf(api),
      parameters: api.safetensors && api.safetensors.total > 0 ? { total: api.safetensors.total, byDtype: api.safetensors.parameters } : null,
    };
  } catch (error) {
    throw modelInfoFailure(error, { modelId, client, revision });
  }
}

const MAX_CONFIG_BYTES = 5_000_000;

/** The model's config.json at the resolved commit, parsed but not yet interpreted. */
export async function readModelConfig(api: ModelApiInfo, client: HubClient): Promise<Record<string, unknown>> {
  const context = { modelId: api.id, client, gated: api.gated };
  let text: string;
  try {
    const blob = await downloadFile({ repo: { type: "model", name: api.id }, path: "config.json", revision: api.sha, ...hubParams(client) });
    if (!blob) {
      throw new ModelInfoError("unsupported", `Model "${api.id}" has no config.json; FineTuneFlow fine-tunes Transformers models, which have one.`);
    }
    text = await blob.slice(0, MAX_CONFIG_BYTES).text();
  } catch (error) {
    throw modelInfoFailure(error, context);
  }
  try {
    const config: unknown = JSON.parse(text);
    if (config && typeof config === "object" && !Array.isArray(config)) return config as Record<string, unknown>;
  } catch {
    // Reported below with the same message as a non-object.
  }
  throw new ModelInfoError("unsupported", `The config.json of model "${api.id}" is not a JSON object.`);
}

/**
 * Parameters counted from the safetensors headers (Range requests: 8 bytes of header length,
 * then the JSON header; every shard of a sharded model). Null when the model has no safetensors
 * weights or they cannot be parsed: the caller falls back to an estimate from config.json.
 */
export async function countSafetensorsParameters(api: ModelApiInfo, client: HubClient): Promise<ParameterCount | null> {
  try {
    const parsed = await parseSafetensorsMetadata({
      repo: { type: "model", name: api.id },
      revision: api.sha,
      computeParametersCount: true,
      ...hubParams(client),
    });
    const byDtype = Object.fromEntries(Object.entries(parsed.parameterCount).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
    const total = parsed.parameterTotal ?? Object.values(byDtype).reduce((a, b) => a + b, 0);
    return total > 0 ? { total, byDtype } : null;
  } catch (error) {
    // Trouble reaching the Hub or with access stops the lookup; anything about the files
    // themselves (none, a missing shard, a malformed header) only means "estimate instead".
    const failure = modelInfoFailure(error, { modelId: api.id, client, gated: api.gated });
    if (failure === client.callerSignal?.reason) throw failure;
    if (failure instanceof ModelInfoError && failure.reason !== "not_found") throw failure;
    return null;
  }
}
