// What went wrong reaching or using a GPU runner, in words a user can act on. The original
// error stays as `cause` for the logs.
import { AppError } from "@/lib/errors";

export type RunnerErrorKind =
  | "config"
  | "refused"
  | "host_not_found"
  | "timeout"
  | "auth"
  | "key"
  | "host_key_unconfirmed"
  | "host_key_mismatch"
  | "handshake"
  | "connection_lost"
  | "file"
  | "command";

/** Failures that may go away by themselves: worth a reconnect or a retry. */
const RETRYABLE: ReadonlySet<RunnerErrorKind> = new Set(["refused", "timeout", "connection_lost"]);

export class RunnerError extends AppError {
  readonly kind: RunnerErrorKind;

  /** `kind` defaults to "config": a runner setting the user has to fix. */
  constructor(message: string, options: { kind?: RunnerErrorKind; cause?: unknown } = {}) {
    const kind = options.kind ?? "config";
    super(RETRYABLE.has(kind) ? "unavailable" : "invalid_input", message, { cause: options.cause });
    this.name = "RunnerError";
    this.kind = kind;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/** The runner has no pinned host key yet: the user must confirm this fingerprint first. */
export class HostKeyUnconfirmedError extends RunnerError {
  readonly fingerprint: string;
  readonly keyType: string;

  constructor(where: string, fingerprint: string, keyType: string) {
    super(
      `${where} presented the host key ${keyType} ${fingerprint}. Confirm that this is the fingerprint of your GPU box ` +
        "(on it, run `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`) before connecting.",
      { kind: "host_key_unconfirmed" },
    );
    this.name = "HostKeyUnconfirmedError";
    this.fingerprint = fingerprint;
    this.keyType = keyType;
  }
}

/** The host key changed since it was pinned: refuse to send anything to it. */
export class HostKeyMismatchError extends RunnerError {
  readonly expected: string;
  readonly actual: string;
  readonly keyType: string;

  constructor(where: string, expected: string, actual: string, keyType: string) {
    super(
      `WARNING: the host key of ${where} has changed. Expected ${expected}, but the server presented ${keyType} ${actual}. ` +
        "Someone may be intercepting the connection (man-in-the-middle), or the machine was reinstalled or its SSH keys regenerated. " +
        "Nothing was sent to it. If you know why the key changed, check the new fingerprint on the machine itself " +
        "(`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`) and confirm it again in the runner settings.",
      { kind: "host_key_mismatch" },
    );
    this.name = "HostKeyMismatchError";
    this.expected = expected;
    this.actual = actual;
    this.keyType = keyType;
  }
}

export function isRunnerError(error: unknown): error is RunnerError {
  return error instanceof RunnerError;
}
