"use client";

import { Gavel } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormError } from "@/components/ui/form";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { estimateJudgeAction, startJudgeAction } from "@/lib/generation/actions";

type Estimate = { examples: number; tokensIn: number; tokensOut: number; costUsd: number | null; model: string; provider: string; rubric: string };

/** Score the unscored examples with the LLM judge: the rubric, what it will cost, then the job. */
export function JudgeDialog({ projectId }: { projectId: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [rubric, setRubric] = useState("");
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const estimateRun = useAction(estimateJudgeAction);
  const start = useAction(startJudgeAction);
  const runEstimate = estimateRun.run;

  useEffect(() => {
    if (!open) return;
    setEstimate(null);
    void runEstimate({ projectId }, (result) => {
      setEstimate(result);
      setRubric(result.rubric);
    });
  }, [open, projectId, runEstimate]);

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          <Gavel className="size-3" /> Score with LLM judge
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-2xl" data-testid="judge-dialog">
        <DialogHeader>
          <DialogTitle>Score examples with the LLM judge</DialogTitle>
          <DialogDescription>
            The project's generation model grades each valid example that has no score yet against its source chunk, one score from 1 to 5 per criterion; the
            example keeps their mean and a one-sentence reason. Filter by score in review, then approve or reject what it found.
          </DialogDescription>
        </DialogHeader>
        <Field label="Rubric" htmlFor="judge-rubric" hint="One criterion per line: “- name: what a 5 means”.">
          <Textarea id="judge-rubric" rows={6} value={rubric} onChange={(e) => setRubric(e.target.value)} className="font-mono text-xs" />
        </Field>
        <p className="text-sm" data-testid="judge-estimate">
          {estimate === null
            ? "Estimating…"
            : estimate.examples === 0
              ? "Every valid example has a score already."
              : `${estimate.examples.toLocaleString("en-US")} examples to score with ${estimate.model || "the provider's model"}${estimate.provider ? ` on ${estimate.provider}` : ""}: about ${Math.round(estimate.tokensIn / 1000).toLocaleString("en-US")}k tokens in and ${Math.round(estimate.tokensOut / 1000).toLocaleString("en-US")}k out${estimate.costUsd !== null ? `, about $${estimate.costUsd.toFixed(2)}` : " (no prices set for this provider)"}.`}
        </p>
        <FormError message={estimateRun.error?.message ?? start.error?.message} />
        <DialogFooter>
          <Button
            disabled={start.pending || !estimate || estimate.examples === 0}
            onClick={() =>
              start.run({ projectId, rubric }, () => {
                setOpen(false);
                toast.success("Scoring started: scores appear on the examples as they come.");
                router.refresh();
              })
            }
          >
            {start.pending ? "Starting…" : "Start scoring"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
