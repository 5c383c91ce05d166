// Scoring one model's answer to one question and keeping it: exact for true/false, multiple
// choice and short answers (./questions); open answers by the LLM judge against the reference
// and the question's rubric (its 1–5 mapped to 0–1), or unscored when no judge is chosen.
import type { TestQuestion } from "@prisma/client";
import { db } from "@/lib/db/client";
import { JudgeParseError, judgeSample } from "@/lib/evaluation/judge";
import type { LlmProviderRecord } from "@/lib/llm";
import { answerPrompt, scoreAnswer } from "./questions";

export type Judge = { provider: LlmProviderRecord; model?: string; signal?: AbortSignal };

export async function scoreAndStore(
  question: Pick<TestQuestion, "id" | "testSetId" | "type" | "question" | "options" | "answer" | "accepted" | "rubric"> & { source?: string | null },
  model: string,
  answer: string,
  judge: Judge | null,
  /** The test set's version the question was asked at. */
  setVersion: number,
): Promise<{ tokensIn: number; tokensOut: number }> {
  let score: number | null = scoreAnswer(question, answer) ?? null;
  let judgeReason: string | null = null;
  let tokensIn = 0;
  let tokensOut = 0;
  if (question.type === "open_answer" && judge) {
    try {
      const verdict = await judgeSample({
        provider: judge.provider,
        model: judge.model,
        signal: judge.signal,
        prompt: answerPrompt(question),
        reference: question.rubric ? `${question.answer}\n\nA good answer: ${question.rubric}` : question.answer,
        answer,
        sourceChunk: question.source ?? null,
      });
      tokensIn = verdict.tokensIn;
      tokensOut = verdict.tokensOut;
      score = (verdict.score - 1) / 4;
      judgeReason = verdict.reason || null;
    } catch (error) {
      if (!(error instanceof JudgeParseError)) throw error;
      judgeReason = `Not scored: ${error.message}`;
    }
  }
  const data = { answer, score, judgeReason, setVersion };
  await db.testAnswer.upsert({
    where: { questionId_model: { questionId: question.id, model } },
    create: { testSetId: question.testSetId, questionId: question.id, model, ...data },
    update: data,
  });
  return { tokensIn, tokensOut };
}
