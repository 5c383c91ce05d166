"use client";

import { Equal, ThumbsUp } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { NativeSelect } from "@/components/ui/select";
import type { ArenaItem } from "@/lib/evaluation/test-sets";
import { nextArenaItemAction, voteArenaAction } from "@/lib/evaluation/test-sets/actions";

type Model = { key: string; label: string };

/** Blind side-by-side: a question and two answers on random sides, their models hidden until the tally. */
export function Arena({ projectId, testSetId, models }: { projectId: string; testSetId: string; models: Model[] }) {
  const router = useRouter();
  const [a, setA] = useState(models[0]?.key ?? "");
  const [b, setB] = useState(models[1]?.key ?? "");
  const [item, setItem] = useState<ArenaItem | null | undefined>(undefined);
  const next = useAction(nextArenaItemAction);
  const vote = useAction(voteArenaAction);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the action handle is stable in use
  const load = useCallback(() => {
    setItem(undefined);
    if (a && b && a !== b) void next.run({ projectId, testSetId, modelA: a, modelB: b }, setItem);
  }, [a, b, projectId, testSetId]);
  useEffect(load, [load]);

  const choose = (choice: "left" | "right" | "tie") =>
    item &&
    vote.run({ projectId, ticket: item.ticket, choice }, () => {
      router.refresh();
      load();
    });

  return (
    <div className="space-y-4">
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="One model" htmlFor="arena-a">
          <NativeSelect id="arena-a" value={a} onChange={(e) => setA(e.target.value)}>
            {models.map((m) => (
              <option key={m.key} value={m.key}>
                {m.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field label="The other" htmlFor="arena-b">
          <NativeSelect id="arena-b" value={b} onChange={(e) => setB(e.target.value)}>
            {models.map((m) => (
              <option key={m.key} value={m.key}>
                {m.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
      </div>
      <FormError message={next.error?.message ?? vote.error?.message ?? (a === b ? "Choose two different models." : undefined)} />
      {item === null && <p className="text-sm text-muted-foreground">You have compared every question both models answered. The tally is below.</p>}
      {item && (
        <div className="space-y-3" data-testid="arena-item">
          <p className="text-xs text-muted-foreground">{item.remaining} left to compare. Which answer is better? The models are hidden.</p>
          <p className="whitespace-pre-wrap font-medium">{item.question}</p>
          {item.options.length > 0 && (
            <ol className="list-[upper-alpha] pl-5 text-sm text-muted-foreground">
              {item.options.map((o) => (
                <li key={o}>{o}</li>
              ))}
            </ol>
          )}
          <div className="grid gap-3 md:grid-cols-2">
            {(["left", "right"] as const).map((side) => (
              <div key={side} className="flex flex-col gap-2 rounded-md border p-3" data-testid={`arena-${side}`}>
                <p className="text-xs font-medium uppercase tracking-wide text-muted-foreground">Answer {side === "left" ? "A" : "B"}</p>
                <p className="flex-1 whitespace-pre-wrap text-sm">{item[side] || "(empty answer)"}</p>
                <Button variant="outline" disabled={vote.pending} onClick={() => void choose(side)}>
                  <ThumbsUp className="size-4" /> {side === "left" ? "A" : "B"} is better
                </Button>
              </div>
            ))}
          </div>
          <Button variant="ghost" disabled={vote.pending} onClick={() => void choose("tie")}>
            <Equal className="size-4" /> About the same
          </Button>
        </div>
      )}
    </div>
  );
}
