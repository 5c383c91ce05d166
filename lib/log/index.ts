// Structured logging into the app_logs table and the console.
// Database writes never throw into the caller: a log line must not break the work it records.
import crypto from "node:crypto";
import type { Prisma } from "@prisma/client";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";

export type Level = "debug" | "info" | "warn" | "error" | "critical";
export type LogLinks = { workspaceId?: string; projectId?: string; jobId?: string };
export type LogContext = Record<string, unknown> & LogLinks & { errorId?: string; excInfo?: string };

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, critical: 50 };

/** LOG_LEVEL filters the console; the database keeps info and above (job logs users read), debug only when asked. */
function toConsole(level: Level): boolean {
  return ORDER[level] >= ORDER[env().LOG_LEVEL];
}

function toDatabase(level: Level): boolean {
  return ORDER[level] >= Math.min(ORDER.info, ORDER[env().LOG_LEVEL]);
}

const pending = new Set<Promise<unknown>>();

function toJson(value: Record<string, unknown>): Prisma.InputJsonValue | undefined {
  if (Object.keys(value).length === 0) return undefined;
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

export function writeLog(level: Level, source: string, message: string, context: LogContext = {}): void {
  const { workspaceId, projectId, jobId, errorId, excInfo, ...rest } = context;
  if (toConsole(level)) {
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${source}] ${message}`;
    const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}` : "";
    (level === "error" || level === "critical" ? console.error : level === "warn" ? console.warn : console.log)(
      line + extra + (errorId ? ` (error id ${errorId})` : ""),
    );
  }
  if (!toDatabase(level)) return;
  let write: Promise<unknown>;
  try {
    write = db.appLog
      .create({
        data: { level, source: source.slice(0, 128), message, context: toJson(rest), errorId, excInfo, workspaceId, projectId, jobId },
      })
      .catch(() => {});
  } catch {
    // No database configured in this process (a CLI): the console line is all there is.
    return;
  }
  pending.add(write);
  void write.finally(() => pending.delete(write));
}

export type Logger = {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
  /** The process or the instance cannot go on as it should (a worker that cannot start, a database that is gone). */
  critical(message: string, context?: LogContext): void;
};

export function logger(source: string, links: LogLinks = {}): Logger {
  const at =
    (level: Level) =>
    (message: string, context: LogContext = {}) =>
      writeLog(level, source, message, { ...links, ...context });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), critical: at("critical") };
}

export function newErrorId(): string {
  return crypto.randomBytes(5).toString("hex");
}

/** Logs an unexpected error with its stack; returns the id shown to the user. */
export function logUnexpected(source: string, error: unknown, context: LogContext = {}): string {
  const errorId = newErrorId();
  const err = error instanceof Error ? error : new Error(String(error));
  writeLog("error", source, err.message, { ...context, errorId, excInfo: err.stack });
  return errorId;
}

/** Waits for queued log writes (graceful shutdown, tests). */
export async function flushLogs(): Promise<void> {
  await Promise.allSettled([...pending]);
}
