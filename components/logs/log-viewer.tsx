"use client";

import { Pause, Play, Search } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { queryLogsAction, tailLogsAction } from "@/lib/log/actions";
import type { LogFilter, LogLevelName, LogLine } from "@/lib/log/viewer";

const LEVELS: LogLevelName[] = ["debug", "info", "warn", "error", "critical"];
const LABELS: Record<LogLevelName, string> = { debug: "debug", info: "info", warn: "warning", error: "error", critical: "critical" };
const VARIANT: Record<LogLevelName, "outline" | "secondary" | "warning" | "destructive"> = {
  debug: "outline",
  info: "secondary",
  warn: "warning",
  error: "destructive",
  critical: "destructive",
};
const TAIL_MS = 2000;
const KEEP = 1000;

type Counts = Record<LogLevelName, number>;

/** Reads the logs with filters, newest first, a page at a time; Live adds new lines as they are written. */
export function LogViewer({ workspaceId, instanceAdmin }: { workspaceId: string; instanceAdmin: boolean }) {
  const [filter, setFilter] = useState<LogFilter>({ scope: "workspace", level: "info", source: "", jobId: "", q: "", from: "", to: "" });
  const [lines, setLines] = useState<LogLine[]>([]);
  const [counts, setCounts] = useState<Counts | null>(null);
  const [more, setMore] = useState(false);
  const [live, setLive] = useState(false);
  const query = useAction(queryLogsAction);
  const tail = useAction(tailLogsAction);
  const newest = useRef<string | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the action handle is stable in use
  const load = useCallback(
    (next: LogFilter) =>
      query.run({ workspaceId, filter: next }, (page) => {
        setLines(page.lines);
        setCounts(page.counts);
        setMore(page.more);
        newest.current = page.lines[0]?.id ?? newest.current ?? "0";
      }),
    [workspaceId],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once; later loads follow the form
  useEffect(() => {
    void load(filter);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the action handle is stable in use
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      void tail.run({ workspaceId, filter, after: newest.current ?? "0" }, (added) => {
        if (added.length === 0) return;
        newest.current = added[added.length - 1].id;
        setLines((old) => [...added.reverse(), ...old].slice(0, KEEP));
        setCounts((old) => {
          if (!old) return old;
          const next = { ...old };
          for (const line of added) next[line.level] += 1;
          return next;
        });
      });
    }, TAIL_MS);
    return () => clearInterval(timer);
  }, [live, filter, workspaceId]);

  const apply = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const time = (name: string) => {
      const value = String(data.get(name) ?? "");
      // datetime-local is the browser's local time: sent as an instant.
      return value ? new Date(value).toISOString() : "";
    };
    const next: LogFilter = {
      scope: data.get("scope") === "instance" ? "instance" : "workspace",
      level: String(data.get("level") ?? "info") as LogLevelName,
      source: String(data.get("source") ?? ""),
      jobId: String(data.get("jobId") ?? "").trim(),
      q: String(data.get("q") ?? ""),
      from: time("from"),
      to: time("to"),
    };
    setFilter(next);
    newest.current = null;
    void load(next);
  };

  const total = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
  return (
    <div className="space-y-4">
      <form className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" onSubmit={apply} data-testid="log-filters">
        {instanceAdmin && (
          <Field label="Whose" htmlFor="log-scope">
            <NativeSelect id="log-scope" name="scope" defaultValue="workspace">
              <option value="workspace">This workspace</option>
              <option value="instance">The whole instance</option>
            </NativeSelect>
          </Field>
        )}
        <Field label="Level and above" htmlFor="log-level">
          <NativeSelect id="log-level" name="level" defaultValue="info">
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {LABELS[l]}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field label="Source" htmlFor="log-source">
          <Input id="log-source" name="source" placeholder="worker, job:train …" />
        </Field>
        <Field label="Job id" htmlFor="log-job">
          <Input id="log-job" name="jobId" placeholder="a job's id" />
        </Field>
        <Field label="Text or error id" htmlFor="log-q">
          <Input id="log-q" name="q" placeholder="Search messages" />
        </Field>
        <Field label="From" htmlFor="log-from">
          <Input id="log-from" name="from" type="datetime-local" />
        </Field>
        <Field label="To" htmlFor="log-to">
          <Input id="log-to" name="to" type="datetime-local" />
        </Field>
        <div className="flex items-end gap-2">
          <Button type="submit" disabled={query.pending}>
            <Search className="size-4" /> Show
          </Button>
          <Button type="button" variant={live ? "secondary" : "outline"} onClick={() => setLive((l) => !l)} aria-pressed={live} data-testid="log-live">
            {live ? <Pause className="size-4" /> : <Play className="size-4" />} {live ? "Live" : "Live tail"}
          </Button>
        </div>
      </form>
      <FormError message={query.error?.message ?? tail.error?.message} />
      {counts && (
        <div className="space-y-1" data-testid="log-counts">
          <div className="flex h-2 overflow-hidden rounded-full bg-muted" aria-hidden>
            {LEVELS.map((l) =>
              counts[l] ? (
                <div
                  key={l}
                  className={
                    l === "critical" || l === "error"
                      ? "bg-destructive"
                      : l === "warn"
                        ? "bg-amber-500"
                        : l === "info"
                          ? "bg-primary/70"
                          : "bg-muted-foreground/40"
                  }
                  style={{ width: `${(counts[l] / Math.max(1, total)) * 100}%` }}
                />
              ) : null,
            )}
          </div>
          <p className="flex flex-wrap gap-3 text-xs text-muted-foreground">
            {LEVELS.map((l) => (
              <span key={l}>
                {LABELS[l]} <span className="font-medium tabular-nums text-foreground">{counts[l].toLocaleString()}</span>
              </span>
            ))}
          </p>
        </div>
      )}
      <div className="overflow-x-auto">
        <Table data-testid="log-lines">
          <TableHeader>
            <TableRow>
              <TableHead className="w-44">When</TableHead>
              <TableHead className="w-24">Level</TableHead>
              <TableHead className="w-40">Source</TableHead>
              <TableHead>Message</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {lines.length === 0 ? (
              <TableRow>
                <TableCell colSpan={4} className="text-center text-sm text-muted-foreground">
                  {query.pending ? "Loading…" : "No log lines match."}
                </TableCell>
              </TableRow>
            ) : (
              lines.map((line) => (
                <TableRow key={line.id} data-testid="log-line" data-level={line.level}>
                  <TableCell className="whitespace-nowrap text-xs tabular-nums text-muted-foreground">{new Date(line.timestamp).toLocaleString()}</TableCell>
                  <TableCell>
                    <Badge variant={VARIANT[line.level]}>{LABELS[line.level]}</Badge>
                  </TableCell>
                  <TableCell className="max-w-40 truncate text-xs">{line.source}</TableCell>
                  <TableCell className="max-w-0">
                    <p className="whitespace-pre-wrap break-words text-sm">{line.message}</p>
                    {(line.errorId || line.jobId) && (
                      <p className="text-xs text-muted-foreground">
                        {line.errorId && `error id ${line.errorId}`}
                        {line.errorId && line.jobId && " · "}
                        {line.jobId && `job ${line.jobId}`}
                      </p>
                    )}
                  </TableCell>
                </TableRow>
              ))
            )}
          </TableBody>
        </Table>
      </div>
      {more && (
        <Button
          variant="outline"
          disabled={query.pending}
          onClick={() =>
            void query.run({ workspaceId, filter, before: lines[lines.length - 1]?.id }, (page) => {
              setLines((old) => [...old, ...page.lines]);
              setMore(page.more);
            })
          }
        >
          Older lines
        </Button>
      )}
    </div>
  );
}
