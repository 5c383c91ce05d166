"use client";

import { diffWords } from "diff";
import { Sparkles } from "lucide-react";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { rewriteExampleAction } from "@/lib/generation/actions";

const SUGGESTIONS = ["Make the answer more concise", "Fix grammar and spelling", "Make the question more specific", "Explain the answer step by step"];

type Proposal = { data: Record<string, string>; model: string; costUsd: number | null };

/** One field's change, word by word: removed words struck through, added ones marked. */
export function WordDiff({ before, after }: { before: string; after: string }) {
  if (before === after) return <span className="text-muted-foreground">{after || "(empty)"} · unchanged</span>;
  return (
    <>
      {diffWords(before, after).map((part, i) =>
        part.added ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one diff, in order
          <ins key={i} className="rounded-sm bg-emerald-100 text-emerald-900 no-underline dark:bg-emerald-500/20 dark:text-emerald-200">
            {part.value}
          </ins>
        ) : part.removed ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one diff, in order
          <del key={i} className="rounded-sm bg-red-100 text-red-900 dark:bg-red-500/20 dark:text-red-200">
            {part.value}
          </del>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one diff, in order
          <span key={i}>{part.value}</span>
        ),
      )}
    </>
  );
}

/**
 * "Rewrite with the LLM": the reviewer says how, the project's model answers, the change shows as
 * a word diff per field, and nothing is saved until Accept (an ordinary edit).
 */
export function RewritePanel({
  projectId,
  exampleId,
  current,
  onAccept,
  saving,
}: {
  projectId: string;
  exampleId: string;
  current: Record<string, string>;
  onAccept(data: Record<string, string>): void;
  saving: boolean;
}) {
  const [instruction, setInstruction] = useState("");
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const rewrite = useAction(rewriteExampleAction);

  const ask = () =>
    rewrite.run({ projectId, exampleId, instruction }, (result) =>
      setProposal({ data: result.data as unknown as Record<string, string>, model: result.model, costUsd: result.costUsd }),
    );

  return (
    <section className="space-y-2 rounded-md border p-3" data-testid="rewrite-panel">
      <h3 className="flex items-center gap-1.5 text-sm font-medium">
        <Sparkles className="size-4" /> Rewrite with the LLM
      </h3>
      <form
        className="flex flex-wrap gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void ask();
        }}
      >
        <Input
          aria-label="How should it change?"
          placeholder="How should it change? e.g. Make the answer more concise"
          list="rewrite-suggestions"
          className="min-w-0 flex-1"
          value={instruction}
          onChange={(e) => setInstruction(e.target.value)}
        />
        <datalist id="rewrite-suggestions">
          {SUGGESTIONS.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <Button type="submit" variant="outline" disabled={rewrite.pending || instruction.trim().length < 3}>
          {rewrite.pending ? "Rewriting…" : "Rewrite"}
        </Button>
      </form>
      <FormError message={rewrite.error?.message} />
      {proposal && (
        <div className="space-y-2" data-testid="rewrite-proposal">
          {Object.keys(current).map((key) => (
            <div key={key}>
              <p className="text-xs font-medium text-muted-foreground">{key[0].toUpperCase() + key.slice(1)}</p>
              <p className="whitespace-pre-wrap rounded-md bg-muted/30 p-2 text-sm">
                <WordDiff before={current[key] ?? ""} after={proposal.data[key] ?? ""} />
              </p>
            </div>
          ))}
          <p className="text-xs text-muted-foreground">
            By {proposal.model}
            {proposal.costUsd !== null ? ` · $${proposal.costUsd.toFixed(4)}` : ""}. Nothing is saved until you accept.
          </p>
          <div className="flex gap-2">
            <Button
              size="sm"
              disabled={saving}
              onClick={() => {
                onAccept(proposal.data);
                setProposal(null);
              }}
            >
              Accept
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setProposal(null)}>
              Discard
            </Button>
          </div>
        </div>
      )}
    </section>
  );
}
