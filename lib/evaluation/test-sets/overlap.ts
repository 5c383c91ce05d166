// Keeping a test set apart from the training data: each question (with its answer) is cut into
// the same word runs as the train/eval leakage check (lib/datasets/leakage), and its overlap is the
// share of its runs found in the project's usable training examples and in every frozen dataset
// version's training file (what past runs trained on). Questions at or above
// LEAK_OVERLAP are left out of the scores (a model that saw the answer in training proves
// nothing by repeating it) and flagged in review.

import readline from "node:readline";
import { exampleText } from "@/lib/datasets/example";
import { LEAK_OVERLAP, shingles, usableExamples } from "@/lib/datasets/leakage";
import { db } from "@/lib/db/client";
import { getStorage } from "@/lib/storage";

export { LEAK_OVERLAP };

/** Word runs of every frozen version's training file: what past runs trained on, even where the examples changed since. */
async function versionRuns(projectId: string, seen: Set<number>): Promise<void> {
  const versions = await db.datasetVersion.findMany({ where: { projectId, trainPath: { not: null } }, select: { trainPath: true } });
  for (const { trainPath } of versions) {
    let input: NodeJS.ReadableStream;
    try {
      input = await getStorage().get(trainPath!);
    } catch {
      continue; // A version whose file is gone (storage cleaned): its examples are still checked below if they exist.
    }
    for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      const messages = (JSON.parse(line) as { messages?: Array<{ content?: unknown }> }).messages ?? [];
      for (const hash of shingles(messages.map((m) => (typeof m.content === "string" ? m.content : "")).join("\n"))) seen.add(hash);
    }
  }
}

export async function refreshOverlap(testSetId: string, projectId: string): Promise<{ questions: number; leaked: number }> {
  const seen = new Set<number>();
  for await (const data of usableExamples(projectId, "train")) for (const hash of shingles(exampleText(data))) seen.add(hash);
  await versionRuns(projectId, seen);
  const questions = await db.testQuestion.findMany({ where: { testSetId }, select: { id: true, question: true, answer: true, trainOverlap: true } });
  let leaked = 0;
  const updates: Array<{ id: string; overlap: number }> = [];
  for (const q of questions) {
    const own = shingles(`${q.question}\n${q.answer}`);
    let shared = 0;
    for (const hash of own) if (seen.has(hash)) shared++;
    const overlap = own.size ? shared / own.size : 0;
    if (overlap >= LEAK_OVERLAP) leaked++;
    if (q.trainOverlap !== overlap) updates.push({ id: q.id, overlap });
  }
  if (updates.length) {
    await db.$executeRaw`
      UPDATE test_questions q SET train_overlap = u.overlap
      FROM unnest(${updates.map((u) => u.id)}::uuid[], ${updates.map((u) => u.overlap)}::real[]) AS u(id, overlap) WHERE q.id = u.id`;
  }
  return { questions: questions.length, leaked };
}
