"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { JobView } from "@/lib/jobs/queries";

export type LiveMode = "connecting" | "live" | "polling";

const POLL_MS = 3000;
const SSE_RETRY_MS = 15_000;

function byNewest(a: JobView, b: JobView) {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt);
}

/** The project's jobs, kept current by server-sent events, or by polling when those fail. */
export function useProjectJobs(projectId: string, initial: JobView[]) {
  const [jobs, setJobs] = useState(initial);
  const [mode, setMode] = useState<LiveMode>("connecting");

  useEffect(() => {
    let source: EventSource | null = null;
    let pollTimer: ReturnType<typeof setInterval> | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const poll = async () => {
      try {
        const response = await fetch(`/api/projects/${projectId}/jobs`, { cache: "no-store" });
        if (response.ok) setJobs(((await response.json()) as { jobs: JobView[] }).jobs);
      } catch {
        // offline: the next poll tries again
      }
    };

    const connect = () => {
      if (stopped) return;
      source = new EventSource(`/api/projects/${projectId}/jobs/stream`);
      source.addEventListener("snapshot", (event) => {
        clearInterval(pollTimer);
        setJobs(JSON.parse((event as MessageEvent).data));
        setMode("live");
      });
      source.addEventListener("job", (event) => {
        const job = JSON.parse((event as MessageEvent).data) as JobView;
        setJobs((previous) => [job, ...previous.filter((j) => j.id !== job.id)].sort(byNewest));
      });
      source.onerror = () => {
        source?.close();
        setMode("polling");
        clearInterval(pollTimer);
        pollTimer = setInterval(poll, POLL_MS);
        void poll();
        retryTimer = setTimeout(connect, SSE_RETRY_MS);
      };
    };

    connect();
    return () => {
      stopped = true;
      source?.close();
      clearInterval(pollTimer);
      clearTimeout(retryTimer);
    };
  }, [projectId]);

  return { jobs, mode };
}

const SETTLED = ["success", "failed", "cancelled"];

/**
 * Re-renders the page's server data once a job matching `watch` settles (a finished export
 * brings its download link, a finished run its files), not on every progress tick.
 */
export function useRefreshWhenSettled(jobs: JobView[], watch: (job: JobView) => boolean) {
  const router = useRouter();
  const settled = jobs
    .filter((j) => watch(j) && SETTLED.includes(j.status))
    .map((j) => `${j.id}:${j.status}`)
    .join(",");
  const seen = useRef(settled);
  useEffect(() => {
    if (seen.current !== settled) {
      seen.current = settled;
      router.refresh();
    }
  }, [settled, router]);
}
