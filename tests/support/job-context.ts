// A job's context for calling a handler directly in a test: logs and progress messages recorded,
// the checkpoint kept in `store` (shared across calls, as the Job row keeps it across attempts).
import crypto from "node:crypto";
import type { JobContext } from "@/lib/jobs/definition";

export function testJobContext<P>(
  projectId: string,
  payload: P,
  options: { store?: { checkpoint?: unknown }; overrides?: Partial<JobContext<P>> } = {},
): { ctx: JobContext<P>; logs: string[]; progress: string[] } {
  const store = options.store ?? {};
  const logs: string[] = [];
  const progress: string[] = [];
  const keep = async (value: unknown) => void (store.checkpoint = JSON.parse(JSON.stringify(value)));
  const ctx: JobContext<P> = {
    jobId: crypto.randomUUID(),
    projectId,
    workerId: "test",
    payload,
    attempt: 1,
    signal: new AbortController().signal,
    progress: async ({ message }) => void progress.push(message ?? ""),
    log: (_level, message) => void logs.push(message),
    checkpoint: { get: <T>() => store.checkpoint as T | undefined, save: keep, saveIn: (_tx, value) => keep(value) },
    ...options.overrides,
  };
  return { ctx, logs, progress };
}
