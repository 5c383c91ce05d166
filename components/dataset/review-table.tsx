"use client";

import { Check, Search, Star, X } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { rateExamplesAction, reviewExamplesAction } from "@/lib/datasets/actions";
import type { ExampleRow, ReviewFilter } from "@/lib/datasets/review";
import { BulkBar } from "./bulk-bar";
import { ExampleDrawer } from "./example-drawer";
import { historyOf, promptText, responseText } from "./example-text";
import { Highlight } from "./highlight";

type Page = { items: ExampleRow[]; nextCursor: { createdAt: string; id: string; key?: number } | null; total?: number; totalCapped?: boolean };
type Props = {
  projectId: string;
  sources: Array<{ id: string; name: string }>;
  /** The project's tags, most used first. */
  tags: Array<{ tag: string; count: number }>;
  canEdit: boolean;
  initial: Page;
  /** Where examples come from, for the empty state. */
  generateHref: string;
  sourcesHref: string;
};

const REVIEW_TONE = { pending: "secondary", approved: "success", rejected: "destructive" } as const;

function query(filter: ReviewFilter, after?: Page["nextCursor"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({
    split: filter.split,
    valid: filter.valid,
    review: filter.review,
    duplicate: filter.duplicate,
    near: filter.nearDup,
    grounding: filter.grounding,
    source: filter.sourceFileId,
    q: filter.q,
    tag: filter.tag,
    rating: filter.rating,
    score: filter.score,
    sort: filter.sort,
  })) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  if (after) params.set("after", `${after.createdAt},${after.id}${after.key !== undefined ? `,${after.key}` : ""}`);
  return params.toString();
}

const filterActive = (filter: ReviewFilter) => Object.entries(filter).some(([key, v]) => key !== "sort" && v !== undefined && v !== "");

const boolOf = (v: string) => (v === "" ? undefined : v === "true");

const KEYS_HELP = "Keys: j / k move · a approve · r reject · u back to pending · 1–5 rate · e open · x select · / search";

/** A key press meant for the page, not typed into a field or a dialog. */
function isPageKey(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return false;
  const target = event.target as HTMLElement | null;
  return !target?.closest("input, textarea, select, button, [contenteditable='true'], [role='dialog'], [role='alertdialog']");
}

export function ReviewTable({ projectId, sources, tags, canEdit, initial, generateHref, sourcesHref }: Props) {
  const router = useRouter();
  const [filter, setFilter] = useState<ReviewFilter>({});
  const [search, setSearch] = useState("");
  const [page, setPage] = useState<Page>(initial);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [openId, setOpenId] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const review = useAction(reviewExamplesAction);
  const rate = useAction(rateExamplesAction);
  const first = useRef(true);
  const searchRef = useRef<HTMLInputElement>(null);

  const load = useCallback(
    async (next: ReviewFilter, after?: Page["nextCursor"]) => {
      setLoading(true);
      try {
        const response = await fetch(`/api/projects/${projectId}/examples?${query(next, after)}`, { cache: "no-store" });
        if (!response.ok) throw new Error();
        const body = (await response.json()) as Page;
        setPage((current) => (after ? { ...current, items: [...current.items, ...body.items], nextCursor: body.nextCursor } : body));
        if (!after) setActive(0);
      } catch {
        toast.error("Could not load examples. Try again.");
      } finally {
        setLoading(false);
      }
    },
    [projectId],
  );

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    setSelected(new Set());
    void load(filter);
  }, [filter, load]);

  useEffect(() => {
    const timer = setTimeout(() => setFilter((f) => (f.q === (search || undefined) ? f : { ...f, q: search || undefined })), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const replaceRow = (row: ExampleRow) => setPage((p) => ({ ...p, items: p.items.map((r) => (r.id === row.id ? row : r)) }));
  const afterChange = (message: string) => () => {
    toast.success(message);
    setSelected(new Set());
    void load(filter);
    router.refresh();
  };
  // One row at a time (the row buttons, the keys): changed in place, so a long review keeps its place in the list.
  const reviewRow = (row: ExampleRow, status: ExampleRow["reviewStatus"]) =>
    review.run({ projectId, target: { ids: [row.id] }, status }, () => {
      replaceRow({ ...row, reviewStatus: status });
      router.refresh();
    });
  const rateRow = (row: ExampleRow, rating: number) => rate.run({ projectId, target: { ids: [row.id] }, rating }, () => replaceRow({ ...row, rating }));

  const items = page.items;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (openId || !isPageKey(event)) return;
      const row = items[active];
      const move = (by: number) => {
        const next = Math.max(0, Math.min(items.length - 1, active + by));
        setActive(next);
        document.querySelector(`[data-row-index="${next}"]`)?.scrollIntoView({ block: "nearest" });
      };
      if (event.key === "j") move(1);
      else if (event.key === "k") move(-1);
      else if (event.key === "/") searchRef.current?.focus();
      else if (!row) return;
      else if ((event.key === "e" || event.key === "Enter") && row) setOpenId(row.id);
      else if (event.key === "x" && canEdit) setSelected((s) => new Set(s.has(row.id) ? [...s].filter((id) => id !== row.id) : [...s, row.id]));
      else if (canEdit && (event.key === "a" || event.key === "r" || event.key === "u")) {
        void reviewRow(row, event.key === "a" ? "approved" : event.key === "r" ? "rejected" : "pending");
        if (event.key !== "u") move(1);
      } else if (canEdit && /^[1-5]$/.test(event.key)) void rateRow(row, Number(event.key));
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const allSelected = page.items.length > 0 && page.items.every((r) => selected.has(r.id));
  const set =
    <K extends keyof ReviewFilter>(key: K) =>
    (value: ReviewFilter[K]) =>
      setFilter((f) => ({ ...f, [key]: value }));

  return (
    <div className="space-y-3">
      <fieldset className="flex flex-wrap items-end gap-2" aria-label="Filters">
        <div className="relative min-w-56 flex-1">
          <Search className="absolute top-2.5 left-2.5 size-4 text-muted-foreground" />
          <Input
            ref={searchRef}
            placeholder="Search text…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => e.key === "Escape" && e.currentTarget.blur()}
            className="pl-8"
            aria-label="Search examples"
          />
        </div>
        <NativeSelect
          aria-label="Split"
          size="sm"
          wrapperClassName="w-auto min-w-36"
          value={filter.split ?? ""}
          onChange={(e) => set("split")((e.target.value || undefined) as ReviewFilter["split"])}
        >
          <option value="">Train + eval</option>
          <option value="train">Train</option>
          <option value="eval">Eval</option>
          <option value="preview">Preview</option>
        </NativeSelect>
        <NativeSelect
          aria-label="Validity"
          size="sm"
          wrapperClassName="w-auto min-w-36"
          value={filter.valid === undefined ? "" : String(filter.valid)}
          onChange={(e) => set("valid")(boolOf(e.target.value))}
        >
          <option value="">Valid or not</option>
          <option value="true">Valid</option>
          <option value="false">Invalid</option>
        </NativeSelect>
        <NativeSelect
          aria-label="Review status"
          size="sm"
          wrapperClassName="w-auto min-w-36"
          value={filter.review ?? ""}
          onChange={(e) => set("review")((e.target.value || undefined) as ReviewFilter["review"])}
        >
          <option value="">Any review</option>
          <option value="pending">Pending</option>
          <option value="approved">Approved</option>
          <option value="rejected">Rejected</option>
        </NativeSelect>
        <NativeSelect
          aria-label="Duplicates"
          size="sm"
          wrapperClassName="w-auto min-w-36"
          value={filter.nearDup ? "near" : filter.duplicate === undefined ? "" : String(filter.duplicate)}
          onChange={(e) =>
            setFilter((f) => ({
              ...f,
              duplicate: e.target.value === "near" ? undefined : boolOf(e.target.value),
              nearDup: e.target.value === "near" ? true : undefined,
            }))
          }
        >
          <option value="">With duplicates</option>
          <option value="false">No duplicates</option>
          <option value="true">Duplicates only</option>
          <option value="near">Near-duplicates</option>
        </NativeSelect>
        <NativeSelect
          aria-label="Grounding"
          size="sm"
          wrapperClassName="w-auto min-w-36"
          value={filter.grounding ?? ""}
          onChange={(e) => set("grounding")((e.target.value || undefined) as ReviewFilter["grounding"])}
        >
          <option value="">Any grounding</option>
          <option value="low">Low grounding (&lt; 50 %)</option>
        </NativeSelect>
        <NativeSelect
          aria-label="Rating"
          size="sm"
          wrapperClassName="w-auto min-w-36"
          value={filter.rating ?? ""}
          onChange={(e) => set("rating")((e.target.value || undefined) as ReviewFilter["rating"])}
        >
          <option value="">Any rating</option>
          <option value="unrated">Unrated</option>
          {[5, 4, 3, 2].map((n) => (
            <option key={n} value={String(n)}>
              {n === 5 ? "★ 5" : `★ ${n} and up`}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect
          aria-label="Sort"
          size="sm"
          wrapperClassName="w-auto min-w-36"
          value={filter.sort ?? "newest"}
          onChange={(e) => set("sort")(e.target.value === "newest" ? undefined : (e.target.value as ReviewFilter["sort"]))}
        >
          <option value="newest">Newest first</option>
          <option value="score_desc">Judge score, high first</option>
          <option value="score_asc">Judge score, low first</option>
        </NativeSelect>
        <NativeSelect
          aria-label="Judge score"
          size="sm"
          wrapperClassName="w-auto min-w-36"
          value={filter.score ?? ""}
          onChange={(e) => set("score")((e.target.value || undefined) as ReviewFilter["score"])}
        >
          <option value="">Any judge score</option>
          <option value="unscored">Not scored</option>
          {[5, 4, 3, 2].map((n) => (
            <option key={n} value={String(n)}>
              {n === 5 ? "Judge 5" : `Judge ${n} and up`}
            </option>
          ))}
        </NativeSelect>
        {tags.length > 0 && (
          <NativeSelect
            aria-label="Tag"
            size="sm"
            wrapperClassName="w-auto min-w-36"
            value={filter.tag ?? ""}
            onChange={(e) => set("tag")(e.target.value || undefined)}
          >
            <option value="">Any tag</option>
            {tags.map((t) => (
              <option key={t.tag} value={t.tag}>
                {t.tag} ({t.count.toLocaleString()})
              </option>
            ))}
          </NativeSelect>
        )}
        {sources.length > 0 && (
          <NativeSelect
            aria-label="Source"
            size="sm"
            wrapperClassName="w-auto min-w-36"
            value={filter.sourceFileId ?? ""}
            onChange={(e) => set("sourceFileId")(e.target.value || undefined)}
          >
            <option value="">All sources</option>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </NativeSelect>
        )}
      </fieldset>
      {canEdit && (
        <BulkBar
          projectId={projectId}
          filter={filter}
          selected={[...selected]}
          sources={sources}
          tags={tags.map((t) => t.tag)}
          onDone={(message) => afterChange(message)()}
        />
      )}
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-xs text-muted-foreground">
        <span data-testid="match-count" aria-live="polite">
          {page.total === undefined
            ? ""
            : `${page.total.toLocaleString()}${page.totalCapped ? "+" : ""} example${page.total === 1 ? "" : "s"} ${filterActive(filter) ? (page.total === 1 ? "matches" : "match") : "in train and eval"}`}
          {page.total !== undefined && page.items.length < page.total ? ` · showing ${page.items.length.toLocaleString()}` : ""}
        </span>
        <span className="hidden md:inline">{KEYS_HELP}</span>
      </div>
      <Table>
        <TableHeader>
          <TableRow>
            {canEdit && (
              <TableHead className="w-8">
                <Checkbox
                  aria-label="Select all shown"
                  checked={allSelected}
                  onCheckedChange={(checked) => setSelected(checked ? new Set(page.items.map((r) => r.id)) : new Set())}
                />
              </TableHead>
            )}
            <TableHead className="w-[38%]">Prompt</TableHead>
            <TableHead className="w-[38%]">Response</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="text-right">Tokens</TableHead>
            {canEdit && <TableHead />}
          </TableRow>
        </TableHeader>
        <TableBody>
          {page.items.length === 0 && (
            <TableRow>
              <TableCell colSpan={6} className="py-8 text-center text-muted-foreground">
                {loading ? (
                  "Loading…"
                ) : filterActive(filter) ? (
                  "No examples match."
                ) : (
                  <span data-testid="no-examples">
                    No examples yet.{" "}
                    <Link href={generateHref} className="font-medium text-foreground underline underline-offset-4">
                      Generate them from your sources
                    </Link>{" "}
                    or{" "}
                    <Link href={sourcesHref} className="font-medium text-foreground underline underline-offset-4">
                      import a dataset
                    </Link>
                    .
                  </span>
                )}
              </TableCell>
            </TableRow>
          )}
          {page.items.map((row, index) => (
            <TableRow
              key={row.id}
              data-testid="example-row"
              data-review={row.reviewStatus}
              data-row-index={index}
              data-active={index === active || undefined}
              className="cursor-pointer align-top data-[active]:bg-muted/60 data-[active]:shadow-[inset_3px_0_0_var(--color-primary)]"
              onClick={() => {
                setActive(index);
                setOpenId(row.id);
              }}
            >
              {canEdit && (
                <TableCell onClick={(e) => e.stopPropagation()}>
                  <Checkbox
                    aria-label="Select example"
                    checked={selected.has(row.id)}
                    onCheckedChange={(checked) =>
                      setSelected((s) => {
                        const next = new Set(s);
                        if (checked) next.add(row.id);
                        else next.delete(row.id);
                        return next;
                      })
                    }
                  />
                </TableCell>
              )}
              <TableCell className="max-w-0">
                <p className="line-clamp-3 whitespace-pre-wrap text-sm">
                  <Highlight text={promptText(row.data)} query={filter.q} snippet />
                </p>
                {historyOf(row.data).length > 0 && <p className="mt-1 text-xs text-muted-foreground">last of {historyOf(row.data).length + 1} turns</p>}
                {row.sourceName && <p className="mt-1 truncate text-xs text-muted-foreground">{row.sourceName}</p>}
              </TableCell>
              <TableCell className="max-w-0">
                <p className="line-clamp-3 whitespace-pre-wrap text-sm">
                  <Highlight text={responseText(row.data)} query={filter.q} snippet />
                </p>
                {!row.isValid && row.validationError && <p className="mt-1 line-clamp-2 text-xs text-destructive">{row.validationError}</p>}
              </TableCell>
              <TableCell>
                <div className="flex flex-col items-start gap-1">
                  <Badge variant="outline">{row.split}</Badge>
                  {!row.isValid && <Badge variant="destructive">invalid</Badge>}
                  {row.isDuplicate && <Badge variant="warning">duplicate</Badge>}
                  {row.nearDupGroup && (
                    <Badge
                      variant="warning"
                      title={row.nearDupGroup === row.id ? "The first of a group of near-duplicates: the one kept" : "A near-duplicate of an earlier example"}
                    >
                      {row.nearDupGroup === row.id ? "near-dup (kept)" : "near-dup"}
                    </Badge>
                  )}
                  {row.grounding !== null && row.grounding < 0.5 && (
                    <Badge variant="warning" title={`${Math.round(row.grounding * 100)} % of the answer's words appear in its source chunk`}>
                      grounding {Math.round(row.grounding * 100)} %
                    </Badge>
                  )}
                  <Badge variant={REVIEW_TONE[row.reviewStatus]}>{row.reviewStatus}</Badge>
                  {row.judgeScore !== null && (
                    <Badge variant={row.judgeScore >= 4 ? "success" : row.judgeScore >= 3 ? "secondary" : "warning"} title={row.judgeReason ?? undefined}>
                      judge {row.judgeScore.toFixed(1)}
                    </Badge>
                  )}
                  {row.rating !== null && (
                    <span className="inline-flex items-center gap-0.5 text-xs text-amber-600" title={`Rated ${row.rating} of 5`}>
                      <Star className="size-3 fill-amber-400" /> {row.rating}
                    </span>
                  )}
                  {row.tags.map((t) => (
                    <Badge key={t} variant="secondary" className="max-w-32 truncate">
                      {t}
                    </Badge>
                  ))}
                </div>
              </TableCell>
              <TableCell className="text-right tabular-nums text-sm">{row.tokenCount}</TableCell>
              {canEdit && (
                <TableCell onClick={(e) => e.stopPropagation()}>
                  <div className="flex gap-1">
                    <Button size="icon" variant="ghost" aria-label="Approve" onClick={() => reviewRow(row, "approved")}>
                      <Check className="size-4" />
                    </Button>
                    <Button size="icon" variant="ghost" aria-label="Reject" onClick={() => reviewRow(row, "rejected")}>
                      <X className="size-4" />
                    </Button>
                  </div>
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {page.nextCursor && (
        <div className="flex justify-center">
          <Button variant="outline" disabled={loading} onClick={() => load(filter, page.nextCursor)}>
            {loading ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
      <ExampleDrawer
        projectId={projectId}
        example={page.items.find((r) => r.id === openId) ?? null}
        canEdit={canEdit}
        tagSuggestions={tags.map((t) => t.tag)}
        onClose={() => setOpenId(null)}
        onSaved={(row) => {
          replaceRow(row);
          router.refresh();
        }}
      />
    </div>
  );
}
