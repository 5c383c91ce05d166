"use client";

import { useEffect, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { rateExamplesAction, tagExamplesAction, updateExampleAction } from "@/lib/datasets/actions";
import type { ExampleRow } from "@/lib/datasets/review";
import { RatingStars, TagEditor } from "./example-labels";
import { fieldsOf, type HistoryTurn, historyOf, promptText, responseText } from "./example-text";
import { RewritePanel } from "./rewrite-panel";

type Source = {
  content: string;
  chunkIndex: number;
  metadata: { page_start?: number; page_end?: number; section?: string } | null;
  sourceFile: { filename: string };
} | null;

/** The chunk text an example was made from, kept when the chunk changed since. */
type MadeFrom = { content: string; chunkIndex: number; reason: string; createdAt: string; sourceFile: { filename: string } | null } | null;

const CHANGED: Record<string, string> = { edit: "edited", merge: "merged", split: "split", rechunk: "re-chunked" };

type Props = {
  projectId: string;
  example: ExampleRow | null;
  canEdit: boolean;
  /** The project's tags, offered when adding one. */
  tagSuggestions: string[];
  onClose(): void;
  onSaved(row: ExampleRow): void;
};

/** An example beside the chunk it came from; editing re-validates and re-hashes it. Tags, rating and an LLM rewrite too. */
export function ExampleDrawer({ projectId, example, canEdit, tagSuggestions, onClose, onSaved }: Props) {
  const [source, setSource] = useState<Source>(null);
  const [madeFrom, setMadeFrom] = useState<MadeFrom>(null);
  const [nearDuplicates, setNearDuplicates] = useState<ExampleRow[]>([]);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [history, setHistory] = useState<HistoryTurn[]>([]);
  const save = useAction(updateExampleAction);
  const tag = useAction(tagExamplesAction);
  const rate = useAction(rateExamplesAction);
  const id = example?.id;

  // A conversation's earlier turns go with every save (an edit of the last turn keeps them as edited here).
  const saveData = (data: Record<string, string>) =>
    example &&
    save.run({ projectId, exampleId: example.id, data: { ...data, ...(history.length ? { history } : {}) } }, (row) => {
      setDraft(data);
      toast.success(row.isValid ? "Saved." : "Saved, but it is still invalid.");
      onSaved(row);
    });
  const changeTags = (add: string[], remove: string[]) =>
    example &&
    tag.run({ projectId, target: { ids: [example.id] }, add, remove }, () =>
      onSaved({ ...example, tags: [...new Set([...example.tags, ...add])].filter((t) => !remove.includes(t)).sort() }),
    );

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs only when another example opens; edits keep the draft
  useEffect(() => {
    if (!example) return;
    setDraft(Object.fromEntries(fieldsOf(example.data).map((k) => [k, typeof example.data[k] === "string" ? (example.data[k] as string) : ""])));
    setHistory(historyOf(example.data));
    save.reset();
    setSource(null);
    setMadeFrom(null);
    setNearDuplicates([]);
    let cancelled = false;
    fetch(`/api/projects/${projectId}/examples/${example.id}`, { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: { chunk: Source; madeFrom: MadeFrom; nearDuplicates: ExampleRow[] } | null) => {
        if (cancelled) return;
        setSource(body?.chunk ?? null);
        setMadeFrom(body?.madeFrom ?? null);
        setNearDuplicates(body?.nearDuplicates ?? []);
      })
      .catch(() => {});
    return () => {
      cancelled = true;
    };
    // Only when another example opens; edits keep the draft.
  }, [id, projectId]);

  const editable = example && ("question" in example.data || "instruction" in example.data);
  return (
    <Sheet open={Boolean(example)} onOpenChange={(open) => !open && onClose()}>
      <SheetContent className="w-full overflow-y-auto sm:max-w-4xl">
        {example && (
          <>
            <SheetHeader>
              <SheetTitle className="flex flex-wrap items-center gap-2">
                Example <Badge variant="outline">{example.split}</Badge>
                <Badge variant={example.isValid ? "success" : "destructive"}>{example.isValid ? "valid" : "invalid"}</Badge>
                {example.isDuplicate && <Badge variant="warning">duplicate</Badge>}
                <Badge variant="secondary">{example.reviewStatus}</Badge>
              </SheetTitle>
              <SheetDescription>
                {example.tokenCount} tokens{example.editedAt ? ` · edited ${new Date(example.editedAt).toLocaleString()}` : ""}
                {example.judgeScore !== null && ` · judge ${example.judgeScore.toFixed(1)} of 5`}
                {example.judgeReason && ` — ${example.judgeReason}`}
              </SheetDescription>
              <div className="flex flex-wrap items-center gap-3 pt-1">
                <RatingStars
                  value={example.rating}
                  disabled={!canEdit || rate.pending}
                  onChange={(rating) => rate.run({ projectId, target: { ids: [example.id] }, rating }, () => onSaved({ ...example, rating }))}
                />
                <TagEditor
                  tags={example.tags}
                  suggestions={tagSuggestions}
                  disabled={!canEdit}
                  onAdd={(t) => changeTags([t], [])}
                  onRemove={(t) => changeTags([], [t])}
                />
              </div>
              <FormError message={tag.error?.message ?? rate.error?.message} />
            </SheetHeader>
            <div className="grid gap-6 px-4 pb-6 lg:grid-cols-2">
              <div className="space-y-4">
                <form
                  className="space-y-3"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void saveData(draft);
                  }}
                >
                  {!example.isValid && example.validationError && (
                    <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 p-2 text-sm text-destructive">
                      {example.validationError}
                    </p>
                  )}
                  <FormError message={save.error?.message} />
                  {editable && history.length > 0 && (
                    <fieldset className="space-y-2 rounded-md border border-dashed p-2" data-testid="edit-earlier-turns">
                      <legend className="px-1 text-xs text-muted-foreground">Earlier turns of the conversation; the fields below are its last turn</legend>
                      {history.map((turn, i) =>
                        (["User", "Reply"] as const).map((who, side) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: turns are fixed in order and have no id
                          <Field key={`${i}-${who}`} label={`Turn ${i + 1} · ${who}`} htmlFor={`edit-turn-${i}-${side}`}>
                            <Textarea
                              id={`edit-turn-${i}-${side}`}
                              rows={3}
                              value={turn[side]}
                              disabled={!canEdit}
                              onChange={(e) =>
                                setHistory((h) => h.map((t, at) => (at === i ? (side === 0 ? [e.target.value, t[1]] : [t[0], e.target.value]) : t)))
                              }
                            />
                          </Field>
                        )),
                      )}
                    </fieldset>
                  )}
                  {editable ? (
                    Object.keys(draft).map((key) => (
                      <Field key={key} label={key[0].toUpperCase() + key.slice(1)} htmlFor={`edit-${key}`} error={save.fieldErrors[key]}>
                        <Textarea
                          id={`edit-${key}`}
                          rows={key === "input" ? 3 : 6}
                          value={draft[key]}
                          disabled={!canEdit}
                          onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
                        />
                      </Field>
                    ))
                  ) : (
                    <pre className="max-h-96 overflow-auto whitespace-pre-wrap rounded-md border bg-muted/30 p-2 text-xs">
                      {JSON.stringify(example.data, null, 2)}
                    </pre>
                  )}
                  {canEdit && editable && (
                    <Button type="submit" disabled={save.pending}>
                      {save.pending ? "Saving…" : "Save"}
                    </Button>
                  )}
                </form>
                {canEdit && editable && (
                  <RewritePanel projectId={projectId} exampleId={example.id} current={draft} saving={save.pending} onAccept={(data) => void saveData(data)} />
                )}
              </div>
              <div className="space-y-3">
                {nearDuplicates.length > 0 && (
                  <div className="space-y-1" data-testid="near-duplicates">
                    <h3 className="text-sm font-medium">Near-duplicates ({nearDuplicates.length})</h3>
                    <p className="text-xs text-muted-foreground">
                      {example.nearDupGroup === example.id
                        ? "This is the first of its group: the one kept."
                        : "The first of the group is kept when you keep one per group."}
                    </p>
                    <ul className="max-h-[40vh] space-y-2 overflow-y-auto">
                      {nearDuplicates.map((other) => (
                        <li key={other.id} className="rounded-md border bg-muted/30 p-2 text-sm">
                          <p className="font-medium">{promptText(other.data)}</p>
                          <p className="whitespace-pre-wrap text-muted-foreground">{responseText(other.data)}</p>
                          {other.nearDupGroup === other.id && <p className="text-xs text-muted-foreground">kept</p>}
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
                {madeFrom && (
                  <div className="space-y-1" data-testid="made-from">
                    <h3 className="text-sm font-medium">Made from this text</h3>
                    <p className="text-xs text-muted-foreground">
                      {madeFrom.sourceFile?.filename ?? "A deleted source"} · chunk {madeFrom.chunkIndex + 1} as it was before it was{" "}
                      {CHANGED[madeFrom.reason] ?? "changed"} on {new Date(madeFrom.createdAt).toLocaleString()}
                    </p>
                    <p className="max-h-[40vh] overflow-y-auto whitespace-pre-wrap rounded-md border border-dashed bg-muted/30 p-2 text-sm">
                      {madeFrom.content}
                    </p>
                  </div>
                )}
                <div>
                  <h3 className="mb-1 text-sm font-medium">{madeFrom ? "The chunk now" : "Source chunk"}</h3>
                  {source ? (
                    <div className="space-y-1">
                      <p className="text-xs text-muted-foreground">
                        {source.sourceFile.filename} · chunk {source.chunkIndex + 1}
                        {source.metadata?.page_start
                          ? ` · page ${source.metadata.page_start}${source.metadata.page_end && source.metadata.page_end !== source.metadata.page_start ? `–${source.metadata.page_end}` : ""}`
                          : ""}
                        {source.metadata?.section ? ` · § ${source.metadata.section}` : ""}
                      </p>
                      <p className="max-h-[60vh] overflow-y-auto whitespace-pre-wrap rounded-md border bg-muted/30 p-2 text-sm" data-testid="source-chunk">
                        {source.content}
                      </p>
                    </div>
                  ) : (
                    <p className="text-sm text-muted-foreground">
                      {example.sourceChunkId
                        ? "Loading…"
                        : madeFrom
                          ? "Its chunk is gone (re-chunked or deleted)."
                          : "This example has no source chunk (imported, or its source was deleted)."}
                    </p>
                  )}
                </div>
              </div>
            </div>
          </>
        )}
      </SheetContent>
    </Sheet>
  );
}
