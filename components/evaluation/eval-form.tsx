"use client";

import { FlaskConical } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { toast } from "@/components/ui/toast";
import { estimateJudgeAction, startEvaluationAction } from "@/lib/evaluation/actions";
import type { JudgeCostEstimate } from "@/lib/evaluation/judge";

type Provider = { id: string; name: string; model: string | null };

/** Starts an evaluation; with a judge, its token count and cost show before anything runs. */
export function EvalForm({ projectId, runId, providers, busy }: { projectId: string; runId: string; providers: Provider[]; busy: boolean }) {
  const router = useRouter();
  const [numPrompts, setNumPrompts] = useState(20);
  const [judge, setJudge] = useState("");
  const [cost, setCost] = useState<JudgeCostEstimate | null>(null);
  const estimate = useAction(estimateJudgeAction);
  const start = useAction(startEvaluationAction);

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-estimates when the judge, the prompt count or the run changes; the action handle is stable in use
  useEffect(() => {
    setCost(null);
    if (judge) void estimate.run({ projectId, runId, providerId: judge, numPrompts }, setCost);
  }, [judge, numPrompts, runId]);

  return (
    <form
      className="space-y-3"
      onSubmit={(event) => {
        event.preventDefault();
        void start.run({ projectId, runId, numPrompts, judgeProviderId: judge || null }, () => {
          toast.success("Evaluation started.");
          router.refresh();
        });
      }}
    >
      <div className="grid items-end gap-3 sm:grid-cols-[10rem_1fr_auto]">
        <Field label="Prompts" htmlFor="e-n" hint="From the eval split.">
          <Input id="e-n" type="number" min={1} max={500} value={numPrompts} onChange={(e) => setNumPrompts(Math.max(1, Number(e.target.value) || 1))} />
        </Field>
        <Field label="LLM judge (optional)" htmlFor="e-judge" hint="Grades each tuned answer 1–5 for faithfulness, correctness and helpfulness.">
          <NativeSelect id="e-judge" value={judge} onChange={(e) => setJudge(e.target.value)}>
            <option value="">No judge</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.model ? ` · ${p.model}` : ""}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Button type="submit" disabled={busy || start.pending} data-testid="start-eval">
          <FlaskConical className="size-4" /> {busy ? "Evaluating…" : "Evaluate"}
        </Button>
      </div>
      {judge && cost && (
        <p className="text-sm text-muted-foreground" data-testid="judge-cost">
          The judge makes {cost.calls} calls: ≈ {cost.tokensIn.toLocaleString()} tokens in, ≈ {cost.tokensOut.toLocaleString()} out,{" "}
          {cost.cost === null ? "no price set for this provider" : `≈ $${cost.cost.toFixed(4)}`}.
        </p>
      )}
      <FormError message={start.error?.message ?? estimate.error?.message} />
    </form>
  );
}
