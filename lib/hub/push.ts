// Publishing files to a Hugging Face Hub repo: check the token, create the repo when it is
// missing, then one commit with every file. Large files go through LFS (or Xet, when the Hub
// offers it) streamed from their Blob, so a local file is never read into memory whole.
import fs from "node:fs";
import { type CommitProgressEvent, commitIter, createRepo, HubApiError, whoAmI } from "@huggingface/hub";
import { AppError, type ErrorCode } from "@/lib/errors";
import { type HubClient, hubClient, hubMessage, hubParams, isTimeout, isUnreachable, isWellFormedToken } from "@/lib/hub/models";
import { outboundFetch } from "@/lib/net/proxy";

/** A Blob, a function that makes one when the push starts, or the path of a local file. */
export type HubPushContent = Blob | (() => Promise<Blob>) | string;
export type HubPushFile = { path: string; content: HubPushContent };

export type PushToHubOptions = {
  /** "namespace/name": a user or an organization the token can write to. */
  repo: string;
  repoType: "model" | "dataset";
  /** Visibility of a repo this push creates; an existing repo keeps its own. */
  private: boolean;
  token: string;
  endpoint?: string;
  files: HubPushFile[];
  commitMessage: string;
  commitDescription?: string;
  /** Share of the bytes hashed and uploaded so far, from 0 to 1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
};

export type PushToHubResult = { url: string; commitOid?: string; created: boolean };

export type HubPushFailure = "token_refused" | "no_write_access" | "invalid_repo_name" | "unavailable" | "rejected";

const FAILURE_CODES: Record<HubPushFailure, ErrorCode> = {
  token_refused: "invalid_input",
  no_write_access: "forbidden",
  invalid_repo_name: "invalid_input",
  unavailable: "unavailable",
  rejected: "invalid_input",
};

export class HubPushError extends AppError {
  readonly reason: HubPushFailure;

  constructor(reason: HubPushFailure, message: string, options: { cause?: unknown } = {}) {
    super(FAILURE_CODES[reason], message, options);
    this.name = "HubPushError";
    this.reason = reason;
  }
}

/** The Hub's rule: each part 1–96 of letters, digits, '-', '_', '.', starting and ending with a letter, digit or '_'. */
const REPO_PART = /^[A-Za-z0-9_](?:[\w.-]{0,94}[A-Za-z0-9_])?$/;

function checkRepoName(repo: string): void {
  const parts = repo.split("/");
  const valid = parts.length === 2 && parts.every((part) => REPO_PART.test(part) && !/--|\.\./.test(part)) && !repo.endsWith(".git");
  if (!valid) {
    throw new HubPushError(
      "invalid_repo_name",
      `"${repo}" is not a valid Hub repository name: use namespace/name, each part made of letters, digits, '-', '_' and '.' (at most 96 characters, no "--" or "..").`,
    );
  }
}

function checkFilePath(path: string): void {
  if (!path || path.startsWith("/") || path.includes("\\") || path.split("/").some((part) => part === "" || part === "." || part === "..")) {
    throw new AppError("invalid_input", `"${path}" is not a valid path inside a repository.`);
  }
}

async function toBlob(content: HubPushContent): Promise<Blob> {
  if (typeof content === "string") return fs.openAsBlob(content);
  return typeof content === "function" ? content() : content;
}

type Context = { repo: string; client: HubClient; signal?: AbortSignal };

function tokenRefused(client: HubClient, cause?: unknown): HubPushError {
  return new HubPushError(
    "token_refused",
    `The Hugging Face token was refused; create a write token at ${client.hubUrl}/settings/tokens and save it in workspace settings.`,
    { cause },
  );
}

function noWriteAccess(context: Context, cause?: unknown): HubPushError {
  const namespace = context.repo.split("/")[0];
  return new HubPushError(
    "no_write_access",
    `The Hugging Face token cannot write to "${namespace}": use a write token of that user, or of an account with write rights in that organization.`,
    { cause },
  );
}

/** Any failure of the push, as a HubPushError; the caller's own abort passes through untouched. */
function pushFailure(error: unknown, context: Context): unknown {
  const { client } = context;
  if (context.signal?.aborted) return context.signal.reason;
  if (error instanceof HubPushError) return error;
  if (error instanceof HubApiError) {
    const status = error.statusCode;
    const said = hubMessage(error, client.accessToken);
    if (status === 401) return tokenRefused(client, error);
    if (status === 403) return noWriteAccess(context, error);
    if (status === 400 && /name/i.test(said))
      return new HubPushError("invalid_repo_name", `The Hub refused the repository name "${context.repo}": ${said}`, { cause: error });
    if (status === 429 || status >= 500) {
      return new HubPushError("unavailable", `The Hugging Face Hub could not take the push right now (HTTP ${status}); try again later.`, { cause: error });
    }
    return new HubPushError("rejected", `The Hugging Face Hub refused the push (HTTP ${status})${said ? `: ${said}` : "."}`, { cause: error });
  }
  if (isTimeout(error) || isUnreachable(error)) {
    return new HubPushError("unavailable", `Could not reach the Hugging Face Hub at ${client.hubUrl}; check the server's internet access (or HF_ENDPOINT).`, {
      cause: error,
    });
  }
  return error;
}

/** Reports the share of bytes done: hashing counts for the first half of a file, uploading for the second. */
function progressTracker(files: Array<{ path: string; content: Blob }>, onProgress?: (fraction: number) => void) {
  const weights = new Map(files.map((file) => [file.path, Math.max(1, file.content.size)]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const done = new Map<string, number>();
  let reported = 0;
  const report = (fraction: number) => {
    if (!onProgress || (fraction < 1 && fraction - reported < 0.01)) return;
    reported = fraction;
    onProgress(fraction);
  };
  return {
    onEvent(event: CommitProgressEvent) {
      if (event.event !== "fileProgress" || event.state === "error") return;
      const share = event.state === "hashing" ? event.progress / 2 : 0.5 + event.progress / 2;
      done.set(event.path, Math.max(done.get(event.path) ?? 0, share));
      const bytes = [...done].reduce((sum, [path, fraction]) => sum + (weights.get(path) ?? 0) * fraction, 0);
      report(Math.min(0.99, bytes / total));
    },
    finish: () => report(1),
  };
}

/**
 * Pushes `files` to `repo` in one commit, creating the repo first when it does not exist.
 * Throws HubPushError with a message for the user.
 */
export async function pushToHub(options: PushToHubOptions): Promise<PushToHubResult> {
  checkRepoName(options.repo);
  for (const file of options.files) checkFilePath(file.path);
  const client = hubClient({ token: options.token, endpoint: options.endpoint, signal: options.signal });
  const context: Context = { repo: options.repo, client, signal: options.signal };
  if (!client.accessToken) {
    throw new HubPushError(
      "token_refused",
      `Pushing needs a Hugging Face write token: create one at ${client.hubUrl}/settings/tokens and save it in workspace settings.`,
    );
  }
  if (!isWellFormedToken(client.accessToken)) throw tokenRefused(client);
  const accessToken = client.accessToken;
  const repo = { type: options.repoType, name: options.repo };
  const files = await Promise.all(options.files.map(async (file) => ({ path: file.path, content: await toBlob(file.content) })));

  let created = false;
  let commitOid: string | undefined;
  try {
    const me = await whoAmI({ ...hubParams(client), accessToken });
    if (me.auth.accessToken?.role === "read") {
      throw new HubPushError(
        "no_write_access",
        `The Hugging Face token is read-only; create a write token at ${client.hubUrl}/settings/tokens and save it in workspace settings.`,
      );
    }
    try {
      await createRepo({ ...hubParams(client), accessToken, repo, visibility: options.private ? "private" : "public" });
      created = true;
    } catch (error) {
      // 409: the repo exists already, which is where we push.
      if (!(error instanceof HubApiError && error.statusCode === 409)) throw error;
    }

    const progress = progressTracker(files, options.onProgress);
    // commitIter rather than uploadFilesWithProgress, which ignores a custom fetch on Node. Not
    // the client's 30 s deadline: large adapters take longer. Through the proxy like every Hub call.
    const upload = commitIter({
      repo,
      accessToken,
      hubUrl: client.hubUrl,
      fetch: outboundFetch,
      operations: files.map((file) => ({ operation: "addOrUpdate" as const, path: file.path, content: file.content })),
      title: options.commitMessage,
      description: options.commitDescription,
      abortSignal: options.signal,
    });
    let step = await upload.next();
    while (!step.done) {
      progress.onEvent(step.value);
      step = await upload.next();
    }
    commitOid = step.value?.commit.oid;
    progress.finish();
  } catch (error) {
    throw pushFailure(error, context);
  }
  const url = `${client.hubUrl}/${options.repoType === "dataset" ? "datasets/" : ""}${options.repo}`;
  return { url, commitOid, created };
}
