"use client";

import { Bot } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { toast } from "@/components/ui/toast";
import type { JudgeCostEstimate } from "@/lib/evaluation/judge";
import { answerTestSetAction, estimateTestSetJudgeAction } from "@/lib/evaluation/test-sets/actions";

type Run = { id: string; name: string; baseModelId: string };
type Provider = { id: string; name: string; defaultModel: string | null };

/** Has a model answer the set: a finished run (its base and tuned models, on its runner) or a provider's model; open answers judged after a cost estimate. */
export function AnswerTestSetForm({ projectId, testSetId, runs, providers }: { projectId: string; testSetId: string; runs: Run[]; providers: Provider[] }) {
  const router = useRouter();
  const start = useAction(answerTestSetAction);
  const estimate = useAction(estimateTestSetJudgeAction);
  const [who, setWho] = useState(runs[0] ? `run:${runs[0].id}` : providers[0] ? `provider:${providers[0].id}` : "");
  const [model, setModel] = useState("");
  const [judge, setJudge] = useState("");
  const [cost, setCost] = useState<JudgeCostEstimate | null>(null);
  const provider = who.startsWith("provider:") ? providers.find((p) => p.id === who.slice("provider:".length)) : undefined;

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-estimates when the judge changes; the action handle is stable in use
  useEffect(() => {
    setCost(null);
    if (judge) void estimate.run({ projectId, testSetId, providerId: judge }, setCost);
  }, [judge, testSetId]);

  return (
    <form
      className="space-y-3"
      onSubmit={(event) => {
        event.preventDefault();
        const [kind, id] = who.split(":");
        const judgeProviderId = judge || null;
        const choice =
          kind === "run" ? { kind: "run" as const, runId: id, judgeProviderId } : { kind: "provider" as const, providerId: id, model, judgeProviderId };
        void start.run({ projectId, testSetId, with: choice }, () => {
          toast.success("Answering started.");
          router.refresh();
        });
      }}
    >
      <FormError message={start.error?.message} />
      <div className="grid items-end gap-3 md:grid-cols-[1fr_12rem_1fr_auto]">
        <Field label="Model" htmlFor="ta-who" hint="A run answers with its base model and its tuned one, on its runner.">
          <NativeSelect id="ta-who" value={who} onChange={(e) => setWho(e.target.value)}>
            {runs.length > 0 && (
              <optgroup label="Finished runs">
                {runs.map((r) => (
                  <option key={r.id} value={`run:${r.id}`}>
                    {r.name} (base {r.baseModelId} and tuned)
                  </option>
                ))}
              </optgroup>
            )}
            {providers.length > 0 && (
              <optgroup label="Workspace providers">
                {providers.map((p) => (
                  <option key={p.id} value={`provider:${p.id}`}>
                    {p.name}
                  </option>
                ))}
              </optgroup>
            )}
          </NativeSelect>
        </Field>
        <Field
          label="Provider model"
          htmlFor="ta-model"
          error={start.fieldErrors.model}
          hint={provider?.defaultModel ? `Empty: ${provider.defaultModel}` : undefined}
        >
          <Input id="ta-model" value={model} disabled={!provider} onChange={(e) => setModel(e.target.value)} placeholder={provider?.defaultModel ?? ""} />
        </Field>
        <Field label="Judge for open answers" htmlFor="ta-judge" error={start.fieldErrors.judgeProviderId}>
          <NativeSelect id="ta-judge" value={judge} onChange={(e) => setJudge(e.target.value)}>
            <option value="">No judge (open answers unscored)</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.defaultModel ? ` · ${p.defaultModel}` : ""}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Button type="submit" disabled={!who || start.pending} data-testid="answer-test-set">
          <Bot className="size-4" /> {start.pending ? "Starting…" : "Answer"}
        </Button>
      </div>
      {judge && (
        <p className="text-xs text-muted-foreground" data-testid="judge-estimate">
          {cost
            ? `Judging ${cost.calls} open answers per model: about ${cost.tokensIn.toLocaleString()} tokens in, ${cost.tokensOut.toLocaleString()} out${cost.cost !== null ? `, $${cost.cost.toFixed(4)}` : " (no prices set for this provider)"}.`
            : "Estimating the judge's cost…"}
        </p>
      )}
    </form>
  );
}
