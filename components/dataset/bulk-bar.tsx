"use client";

import { ArrowLeftRight, Check, Tag, Trash2, X } from "lucide-react";
import { useEffect, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { countExamplesAction, deleteExamplesAction, moveExamplesAction, reviewExamplesAction, tagExamplesAction } from "@/lib/datasets/actions";
import type { ReviewFilter } from "@/lib/datasets/review";
import { normaliseTag } from "./example-labels";

type Kind = "approved" | "rejected" | "train" | "eval" | "delete" | "tag" | "untag";
const VERB: Record<Kind, string> = {
  approved: "Approve",
  rejected: "Reject",
  train: "Move to train",
  eval: "Move to eval",
  delete: "Delete",
  tag: "Tag",
  untag: "Untag",
};
const DONE: Record<Kind, string> = {
  approved: "approved",
  rejected: "rejected",
  train: "moved to train",
  eval: "moved to eval",
  delete: "deleted",
  tag: "tagged",
  untag: "untagged",
};

const plural = (n: number) => `${n.toLocaleString("en-US")} example${n === 1 ? "" : "s"}`;

/** The filters in words, as the confirmation names them. */
export function describeFilter(filter: ReviewFilter, sources: Array<{ id: string; name: string }>): string {
  const parts: string[] = [];
  parts.push(filter.split ? `split = ${filter.split}` : "train and eval");
  if (filter.valid !== undefined) parts.push(filter.valid ? "valid" : "invalid");
  if (filter.review) parts.push(`review = ${filter.review}`);
  if (filter.duplicate !== undefined) parts.push(filter.duplicate ? "duplicates only" : "no duplicates");
  if (filter.nearDup) parts.push("near-duplicates");
  if (filter.grounding === "low") parts.push("low grounding");
  if (filter.sourceFileId) parts.push(`source = ${sources.find((s) => s.id === filter.sourceFileId)?.name ?? "one source"}`);
  if (filter.q) parts.push(`text contains “${filter.q}”`);
  if (filter.tag) parts.push(`tag = ${filter.tag}`);
  if (filter.rating) parts.push(filter.rating === "unrated" ? "unrated" : `rated ${filter.rating}+`);
  if (filter.score) parts.push(filter.score === "unscored" ? "not scored" : `judge score ${filter.score}+`);
  return parts.join(", ");
}

type Props = {
  projectId: string;
  filter: ReviewFilter;
  selected: string[];
  sources: Array<{ id: string; name: string }>;
  /** The project's tags, offered when tagging. */
  tags: string[];
  onDone: (message: string) => void;
};

/**
 * Approve, reject, move and delete for the selected examples, or for every example the filters
 * match. A filter-wide action first says how many it will touch and which filters; deleting by
 * filter also asks for that number to be typed, and is refused if more match by then.
 */
export function BulkBar({ projectId, filter, selected, sources, tags, onDone }: Props) {
  const review = useAction(reviewExamplesAction);
  const move = useAction(moveExamplesAction);
  const remove = useAction(deleteExamplesAction);
  const tag = useAction(tagExamplesAction);
  const count = useAction(countExamplesAction);
  const [pending, setPending] = useState<{ kind: Kind; count: number | null } | null>(null);
  const [typed, setTyped] = useState("");
  const [tagText, setTagText] = useState("");
  const busy = review.pending || move.pending || remove.pending || tag.pending;
  const tagging = pending?.kind === "tag" || pending?.kind === "untag";
  const byFilter = selected.length === 0;
  const target = byFilter ? { filter } : { ids: selected };

  const countNow = count.run;
  const asking = pending !== null && pending.count === null && byFilter;
  useEffect(() => {
    if (!asking) return;
    void countNow({ projectId, target: { filter } }, (r) => setPending((p) => (p ? { ...p, count: r.count } : p)));
  }, [asking, countNow, projectId, filter]);

  async function apply(kind: Kind, expected?: number) {
    const finish = (r: { count: number }) => onDone(`${plural(r.count)} ${DONE[kind]}.`);
    if (kind === "approved" || kind === "rejected") await review.run({ projectId, target, status: kind }, finish);
    else if (kind === "train" || kind === "eval") await move.run({ projectId, target, split: kind }, finish);
    else if (kind === "tag" || kind === "untag") {
      const label = normaliseTag(tagText);
      await tag.run({ projectId, target, ...(kind === "tag" ? { add: [label] } : { remove: [label] }) }, (r) =>
        onDone(`${plural(r.count)} ${DONE[kind]} “${label}”.`),
      );
    } else await remove.run({ projectId, target, expectedCount: byFilter ? expected : undefined }, finish);
  }

  function start(kind: Kind) {
    setTyped("");
    // A few selected rows are seen on screen: approving them needs no question; deleting does, and tagging asks for the tag.
    if (!byFilter && kind !== "delete" && kind !== "tag" && kind !== "untag") return void apply(kind);
    setPending({ kind, count: byFilter ? null : selected.length });
  }

  const n = pending?.count;
  const needsTyping = pending?.kind === "delete" && byFilter && (n ?? 0) > 1;
  const ready = n !== null && n !== undefined && n > 0 && (!needsTyping || typed.trim() === String(n)) && (!tagging || normaliseTag(tagText) !== "");

  return (
    <div className="flex flex-wrap items-center gap-2 rounded-lg border bg-muted/30 px-3 py-2 text-sm" data-testid="bulk-bar">
      <span className="text-muted-foreground">{byFilter ? "All matching the filters:" : `${selected.length} selected:`}</span>
      <Button size="sm" variant="outline" disabled={busy} onClick={() => start("approved")}>
        <Check className="size-3" /> Approve
      </Button>
      <Button size="sm" variant="outline" disabled={busy} onClick={() => start("rejected")}>
        <X className="size-3" /> Reject
      </Button>
      <Button size="sm" variant="outline" disabled={busy} onClick={() => start("train")}>
        <ArrowLeftRight className="size-3" /> To train
      </Button>
      <Button size="sm" variant="outline" disabled={busy} onClick={() => start("eval")}>
        <ArrowLeftRight className="size-3" /> To eval
      </Button>
      <Button size="sm" variant="outline" disabled={busy} onClick={() => start("tag")}>
        <Tag className="size-3" /> Tag
      </Button>
      <Button size="sm" variant="outline" disabled={busy || tags.length === 0} onClick={() => start("untag")}>
        <Tag className="size-3" /> Untag
      </Button>
      <Button size="sm" variant="outline" disabled={busy} onClick={() => start("delete")}>
        <Trash2 className="size-3" /> Delete
      </Button>
      <FormError message={review.error?.message ?? move.error?.message ?? remove.error?.message ?? tag.error?.message} />
      <AlertDialog open={pending !== null} onOpenChange={(open) => !open && setPending(null)}>
        <AlertDialogContent data-testid="bulk-confirm">
          <AlertDialogHeader>
            <AlertDialogTitle>
              {pending && (n === null || n === undefined ? `${VERB[pending.kind]}: counting…` : `${VERB[pending.kind]} ${plural(n)}?`)}
            </AlertDialogTitle>
            <AlertDialogDescription>
              {byFilter ? `Every example matching: ${describeFilter(filter, sources)}.` : "The selected examples."}
              {pending?.kind === "delete" && " Deleted examples are gone for good; the sources they came from stay."}
              {n === 0 && " Nothing matches, so there is nothing to do."}
            </AlertDialogDescription>
          </AlertDialogHeader>
          {tagging && (
            <div className="grid gap-2">
              <Label htmlFor="bulk-tag">{pending?.kind === "tag" ? "Tag to add" : "Tag to remove"}</Label>
              <Input id="bulk-tag" list="bulk-tag-suggestions" maxLength={40} autoComplete="off" value={tagText} onChange={(e) => setTagText(e.target.value)} />
              <datalist id="bulk-tag-suggestions">
                {tags.map((t) => (
                  <option key={t} value={t} />
                ))}
              </datalist>
            </div>
          )}
          {needsTyping && n !== null && n !== undefined && (
            <div className="grid gap-2">
              <Label htmlFor="bulk-type-count">Type {n.toLocaleString("en-US")} to confirm</Label>
              <Input id="bulk-type-count" inputMode="numeric" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
            </div>
          )}
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <Button
              variant={pending?.kind === "delete" ? "destructive" : "default"}
              disabled={!ready || busy}
              onClick={() => {
                const kind = pending!.kind;
                setPending(null);
                void apply(kind, n ?? undefined);
              }}
            >
              {pending ? VERB[pending.kind] : ""}
            </Button>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </div>
  );
}
