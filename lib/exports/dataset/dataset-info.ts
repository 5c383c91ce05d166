// dataset_info.json as LLaMA-Factory reads it: one entry per file, saying how its fields map to
// prompt, response and chat turns, so the unzipped folder can be used as `dataset_dir` as is.
import type { TaskType } from "@/lib/datasets/example";
import { type DatasetFormat, formatInfo } from "./formats";

type DatasetEntry = {
  file_name: string;
  formatting: "alpaca" | "sharegpt";
  columns: Record<string, string>;
  tags?: Record<string, string>;
};

const ALPACA_COLUMNS = { prompt: "instruction", query: "input", response: "output" };
const QA_COLUMNS = { prompt: "question", response: "answer" };

function entryFor(format: DatasetFormat, taskType: TaskType, fileName: string, conversations: boolean): DatasetEntry {
  // Earlier turns of conversations: the `history` column (JSON Lines; CSV and XLSX are not registered).
  const history: Record<string, string> = conversations ? { history: "history" } : {};
  switch (format) {
    case "alpaca":
      return { file_name: fileName, formatting: "alpaca", columns: { ...ALPACA_COLUMNS, ...history } };
    case "jsonl":
    case "csv":
    case "xlsx":
      return { file_name: fileName, formatting: "alpaca", columns: { ...(taskType === "instruction" ? ALPACA_COLUMNS : QA_COLUMNS), ...history } };
    case "sharegpt":
      return {
        file_name: fileName,
        formatting: "sharegpt",
        columns: { messages: "conversations" },
        tags: { role_tag: "from", content_tag: "value", user_tag: "human", assistant_tag: "gpt", system_tag: "system" },
      };
    case "openai":
      return {
        file_name: fileName,
        formatting: "sharegpt",
        columns: { messages: "messages" },
        tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" },
      };
  }
}

/**
 * Entries named after the project and the split ("support_handbook_train"), so they can be merged
 * into an existing dataset_info.json without clashing; each points at its file. Only splits that
 * hold examples are given: LLaMA-Factory fails on an empty file.
 */
export function datasetInfo(
  format: DatasetFormat,
  taskType: TaskType,
  splits: readonly string[],
  name: string,
  conversations = false,
): Record<string, DatasetEntry> {
  const { extension } = formatInfo(format);
  return Object.fromEntries(splits.map((split) => [datasetEntryName(name, split), entryFor(format, taskType, `${split}.${extension}`, conversations)]));
}

/** "Support handbook!" and "train" → "support_handbook_train". */
export function datasetEntryName(name: string, split: string): string {
  const base =
    name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, 48) || "dataset";
  return `${base}_${split}`;
}
