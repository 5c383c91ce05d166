// Before shipping a run: is the tuned model better than the base one on the eval split? From
// the run's evaluation (base and tuned answers to the same eval prompts): ROUGE-L against the
// reference, and the per-prompt wins and losses. Not better on both counts is a warning on the
// Export step, not a refusal: the user may know why.
import type { Evaluation } from "./bundle";

export type EvalGate = { better: boolean; summary: string };

export function evalGate(
  evaluation: Pick<Evaluation, "rouge_l_base" | "rouge_l_tuned" | "wins" | "ties" | "losses" | "num_samples" | "judge_score">,
): EvalGate {
  const { rouge_l_base: base, rouge_l_tuned: tuned, wins, ties, losses } = evaluation;
  const figures = `ROUGE-L ${tuned.toFixed(2)} tuned vs ${base.toFixed(2)} base; ${wins} wins, ${ties} ties, ${losses} losses on ${evaluation.num_samples} eval prompts${evaluation.judge_score !== null ? `; judge ${evaluation.judge_score.toFixed(1)} of 5` : ""}`;
  const better = tuned > base && wins >= losses;
  return {
    better,
    summary: better
      ? `The tuned model beats the base model on the eval split: ${figures}.`
      : `The tuned model is not better than the base model on the eval split (${figures}). Check the dataset and the run before shipping it.`,
  };
}
