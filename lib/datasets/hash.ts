// Exact-duplicate detection (DatasetExample.contentHash).
//
// Normalisation, per field: Unicode NFC, every run of whitespace (Unicode spaces, tabs, line
// breaks) collapsed to one space, trimmed. Case is kept: a case-only difference can change
// meaning (code, "US" vs "us"), and a duplicate is hidden from training, so this stays an exact
// test; near-duplicates are a separate, later check. Fields are hashed as a JSON array tagged
// with the task type (a conversation's earlier turns after them), so text moving between fields ("a b" + "c" vs "a" + "b c") never collides.
import { createHash } from "node:crypto";
import { type ExampleData, isInstructionExample } from "./example";

function normaliseText(text: string): string {
  return text.normalize("NFC").replace(/\s+/gu, " ").trim();
}

export function contentHash(data: ExampleData): string {
  const own = isInstructionExample(data) ? ["instruction", data.instruction, data.input, data.output] : ["qa", data.question, data.answer];
  // Earlier turns come after the example's own fields, so a single exchange hashes as it always has.
  const fields = [...own, ...(data.history ?? []).flat()];
  const canonical = JSON.stringify(fields.map(normaliseText));
  return createHash("sha256").update(canonical).digest("hex");
}
