// Datasets on the Hugging Face Hub (or HF_ENDPOINT's mirror): the data files a dataset repo holds
// (JSONL, JSON, CSV, Parquet) and, for a repo without such files (a loading script, an archive),
// the Parquet conversion the Hub keeps at refs/convert/parquet; then one file's bytes as a stream.
import { Readable } from "node:stream";
import { downloadFile, HubApiError, listFiles } from "@huggingface/hub";
import { AppError, type ErrorCode } from "@/lib/errors";
import type { DatasetFormat } from "@/lib/ingest/types";
import { type HubClient, hubClient, hubMessage, hubParams, isTimeout, isUnreachable, isWellFormedToken } from "./models";

/** Where the Hub keeps its own Parquet export of every dataset it can load. */
export const PARQUET_REVISION = "refs/convert/parquet";
/** `owner/name`, or a legacy canonical name (e.g. "squad", which the Hub redirects). */
const DATASET_ID = /^(?:[A-Za-z0-9][\w.-]{0,95}\/)?[A-Za-z0-9][\w.-]{0,95}$/;
const REVISION = /^[\w./-]{1,200}$/;
/** Listings longer than this (sharded corpora) show the first ones by path. */
export const MAX_LISTED_FILES = 500;

const EXTENSIONS: [RegExp, DatasetFormat][] = [
  [/\.parquet$/i, "parquet"],
  [/\.(jsonl|ndjson)$/i, "jsonl"],
  [/\.json$/i, "json"],
  [/\.(csv|tsv)$/i, "csv"],
];

/** One file of a dataset repo at a revision. */
export type HubDatasetRef = { datasetId: string; revision: string; path: string };

export type HubDatasetFile = { path: string; size: number; format: DatasetFormat };
export type HubDatasetListing = {
  datasetId: string;
  revision: string;
  /** The files come from the Hub's Parquet conversion, not the repo's own files. */
  converted: boolean;
  files: HubDatasetFile[];
  /** How many data files there were before MAX_LISTED_FILES cut the list. */
  total: number;
};

export type HubDatasetOptions = { token?: string; endpoint?: string; signal?: AbortSignal; timeoutMs?: number };

const CODES = { invalid_id: "invalid_input", not_found: "not_found", gated: "forbidden", no_files: "invalid_input", unavailable: "unavailable" } as const;
export type HubDatasetFailure = keyof typeof CODES;

export class HubDatasetError extends AppError {
  constructor(
    readonly reason: HubDatasetFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(CODES[reason] as ErrorCode, message, options);
    this.name = "HubDatasetError";
  }
}

export function formatOfPath(path: string): DatasetFormat | undefined {
  return EXTENSIONS.find(([pattern]) => pattern.test(path))?.[1];
}

export function checkDatasetRef(datasetId: string, revision = "main"): { datasetId: string; revision: string } {
  const id = datasetId
    .trim()
    .replace(/^https?:\/\/[^/]+\/datasets\//, "")
    .replace(/\/+$/, "");
  if (!DATASET_ID.test(id) || /--|\.\./.test(id)) {
    throw new HubDatasetError("invalid_id", `"${datasetId.trim()}" is not a Hugging Face dataset id; use the form owner/name, e.g. "tatsu-lab/alpaca".`);
  }
  const rev = revision.trim() || "main";
  if (!REVISION.test(rev) || rev.includes("..")) throw new HubDatasetError("invalid_id", `"${rev}" is not a revision: use a branch, tag or commit.`);
  return { datasetId: id, revision: rev };
}

function failure(error: unknown, client: HubClient, datasetId: string): unknown {
  if (client.callerSignal?.aborted) return client.callerSignal.reason;
  if (error instanceof HubDatasetError) return error;
  const page = `${client.hubUrl}/datasets/${datasetId}`;
  if (isTimeout(error))
    return new HubDatasetError("unavailable", `The Hugging Face Hub at ${client.hubUrl} did not answer in time; try again.`, { cause: error });
  if (error instanceof HubApiError) {
    const status = error.statusCode;
    if (status === 403 || (status === 401 && /gated|restricted/i.test(hubMessage(error)))) {
      return new HubDatasetError(
        "gated",
        client.accessToken
          ? `Your Hugging Face token has no access to the gated dataset "${datasetId}" yet: accept its conditions on ${page} with the token's account, then try again.`
          : `"${datasetId}" is a gated dataset: accept its conditions on ${page} and save a Hugging Face token (HF_TOKEN) in workspace settings → Secrets.`,
        { cause: error },
      );
    }
    if (status === 401 && client.accessToken) {
      return new HubDatasetError("gated", `The Hugging Face token in workspace settings was refused; create a new one at ${client.hubUrl}/settings/tokens.`, {
        cause: error,
      });
    }
    if (status === 401 || status === 404) {
      const hint = client.accessToken ? "" : " A private dataset also needs a Hugging Face token (HF_TOKEN) in workspace settings → Secrets.";
      return new HubDatasetError("not_found", `Dataset "${datasetId}" was not found on the Hugging Face Hub; check the id and revision.${hint}`, {
        cause: error,
      });
    }
    if (status === 429)
      return new HubDatasetError("unavailable", "The Hugging Face Hub is limiting requests (HTTP 429); try again in a minute.", { cause: error });
    return new HubDatasetError("unavailable", `The Hugging Face Hub refused the request (HTTP ${status}): ${hubMessage(error, client.accessToken)}`, {
      cause: error,
    });
  }
  if (isUnreachable(error)) {
    return new HubDatasetError(
      "unavailable",
      `Could not reach the Hugging Face Hub at ${client.hubUrl}; check the server's internet access (or HF_ENDPOINT).`,
      {
        cause: error,
      },
    );
  }
  return error;
}

function clientFor(options: HubDatasetOptions): HubClient {
  const client = hubClient(options);
  if (client.accessToken && !isWellFormedToken(client.accessToken)) {
    throw new HubDatasetError(
      "gated",
      `The Hugging Face token in workspace settings is not valid (tokens start with "hf_"); create one at ${client.hubUrl}/settings/tokens.`,
    );
  }
  return client;
}

async function dataFiles(client: HubClient, datasetId: string, revision: string): Promise<HubDatasetFile[]> {
  const files: HubDatasetFile[] = [];
  // listFiles puts the revision in the path as it is: refs/convert/parquet must be escaped.
  for await (const entry of listFiles({
    repo: { type: "dataset", name: datasetId },
    revision: encodeURIComponent(revision),
    recursive: true,
    ...hubParams(client),
  })) {
    const format = entry.type === "file" ? formatOfPath(entry.path) : undefined;
    if (format) files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size, format });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** The dataset's data files at `revision`, or its Parquet conversion when the repo has none. */
export async function listHubDatasetFiles(rawId: string, rawRevision: string | undefined, options: HubDatasetOptions = {}): Promise<HubDatasetListing> {
  const { datasetId, revision } = checkDatasetRef(rawId, rawRevision);
  const client = clientFor(options);
  try {
    let files = await dataFiles(client, datasetId, revision);
    let converted = false;
    if (files.length === 0 && revision === "main") {
      files = await dataFiles(client, datasetId, PARQUET_REVISION).catch((error: unknown) => {
        if (error instanceof HubApiError && error.statusCode === 404) return [];
        throw error;
      });
      converted = files.length > 0;
    }
    if (files.length === 0) {
      throw new HubDatasetError(
        "no_files",
        `"${datasetId}" has no JSONL, JSON, CSV or Parquet files${revision === "main" ? " and no Parquet conversion on the Hub" : ` at revision "${revision}"`}.`,
      );
    }
    return { datasetId, revision: converted ? PARQUET_REVISION : revision, converted, files: files.slice(0, MAX_LISTED_FILES), total: files.length };
  } catch (error) {
    throw failure(error, client, datasetId);
  }
}

/** One file of a dataset repo as a stream, with its size. */
export async function openHubDatasetFile(ref: HubDatasetRef, options: HubDatasetOptions = {}): Promise<{ stream: Readable; size: number }> {
  const { datasetId, revision } = checkDatasetRef(ref.datasetId, ref.revision);
  // A download may take long: its own deadline, not a lookup's.
  const client = clientFor({ timeoutMs: 60 * 60_000, ...options });
  try {
    const blob = await downloadFile({ repo: { type: "dataset", name: datasetId }, path: ref.path, revision, ...hubParams(client) });
    if (!blob) throw new HubDatasetError("not_found", `"${ref.path}" is no longer in the dataset "${datasetId}" at revision "${revision}".`);
    const stream = Readable.fromWeb(blob.stream() as Parameters<typeof Readable.fromWeb>[0]);
    return { stream, size: blob.size };
  } catch (error) {
    throw failure(error, client, datasetId);
  }
}
