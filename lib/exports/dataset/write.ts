// Writes a dataset export: one ZIP streamed straight into storage, with train and eval files in
// the chosen format (a split without examples is left out), dataset_info.json for LLaMA-Factory
// (not for CSV: loaders infer column types from CSV, so "007" would become 7) and a README. Examples flow from the
// database through the ZIP to storage with backpressure at every step, so memory stays flat
// whatever the dataset's size.
import { Readable } from "node:stream";
import { ZipFile } from "yazl";
import { type DatasetCardFacts, datasetCardFacts, renderDatasetCard } from "@/lib/datasets/card";
import type { TaskType } from "@/lib/datasets/example";
import { db } from "@/lib/db/client";
import { getStorage } from "@/lib/storage";
import { exportKey } from "@/lib/storage/keys";
import { datasetEntryName, datasetInfo } from "./dataset-info";
import {
  type DatasetFormat,
  fileHeader,
  formatInfo,
  formatLine,
  type LineFormat,
  lineEnd,
  sheetCells,
  sheetColumns,
  systemPromptOf,
  withReasoning,
} from "./formats";
import { DEFAULT_SELECTION, type ExportSelection, iterateExamples, selectionFilter } from "./select";
import { MAX_SHEET_ROWS, type SheetTally, xlsxStream } from "./xlsx";

export type WriteExportOptions = {
  workspaceId: string;
  projectId: string;
  exportId: string;
  format: DatasetFormat;
  /** Defaults to "valid". */
  selection?: ExportSelection;
  /** Used by the chat formats (sharegpt, openai); ignored by the others. */
  systemPrompt?: string;
  /** Each example's reasoning (where generation asked for it) before its answer, in a <think> block. */
  reasoning?: boolean;
  /** Called with the number of examples written so far, every 1000 examples; awaited. */
  onProgress?: (done: number) => void | Promise<void>;
};

export type ExportCounts = { train: number; eval: number };

export type WriteExportResult = { fileKey: string; sizeBytes: number; sha256: string; counts: ExportCounts };

const SPLITS = ["train", "eval"] as const;
type Split = (typeof SPLITS)[number];

const PROGRESS_EVERY = 1000;
/** Lines are grouped into chunks of about this size: one deflate call per line would be slow. */
const CHUNK_CHARS = 64 * 1024;

const SELECTION_TEXT: Record<ExportSelection, string> = {
  approved: "approved examples only",
  valid: "valid examples that are neither rejected nor duplicates",
  all: "every example, invalid ones included",
};

type Tally = { counts: ExportCounts; done: number; sheets: SheetTally & { droppedRows: number } };
type Resolved = WriteExportOptions & {
  selection: ExportSelection;
  name: string;
  splits: Split[];
  facts: DatasetCardFacts;
  /** Whether any example exported is a multi-turn conversation (spreadsheets then get a `history` column). */
  conversations: boolean;
};

/** The splits the selection takes examples from; train alone when it takes none (the ZIP still says so). */
async function nonEmptySplits(projectId: string, selection: ExportSelection): Promise<Split[]> {
  const rows = await db.$queryRaw<{ split: Split }[]>`
    SELECT DISTINCT e.split::text AS split FROM dataset_examples e
    WHERE e.project_id = ${projectId}::uuid AND e.split IN ('train', 'eval') AND ${selectionFilter(selection)}`;
  const found = SPLITS.filter((split) => rows.some((r) => r.split === split));
  return found.length ? found : ["train"];
}

async function holdsConversations(projectId: string, selection: ExportSelection): Promise<boolean> {
  const [row] = await db.$queryRaw<{ found: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM dataset_examples e
      WHERE e.project_id = ${projectId}::uuid AND e.split IN ('train', 'eval') AND e.data ? 'history' AND ${selectionFilter(selection)}) AS found`;
  return row.found;
}

export async function writeDatasetExport(input: WriteExportOptions): Promise<WriteExportResult> {
  const selection = input.selection ?? DEFAULT_SELECTION;
  const { workspaceId, projectId, exportId, format } = input;
  // Scoped by workspace too, so a mismatched pair cannot put one project's data under another's key.
  const { taskType, name } = await db.project.findFirstOrThrow({ where: { id: projectId, workspaceId }, select: { taskType: true, name: true } });
  const [splits, facts, conversations] = await Promise.all([
    nonEmptySplits(projectId, selection),
    datasetCardFacts(projectId),
    holdsConversations(projectId, selection),
  ]);
  const options: Resolved = { ...input, selection, name, splits, facts, conversations };
  const fileKey = exportKey(workspaceId, projectId, exportId, `dataset-${format}.zip`);
  const { extension } = formatInfo(format);
  const tally: Tally = { counts: { train: 0, eval: 0 }, done: 0, sheets: { truncatedCells: 0, droppedRows: 0 } };
  const open = new Set<Readable>();

  const zip = new ZipFile();
  // yazl's outputStream is a PassThrough; its typings only promise NodeJS.ReadableStream.
  const output = zip.outputStream as Readable;
  // yazl reports a failed entry on the ZipFile; failing its output is what makes put() stop.
  zip.on("error", (error: Error) => output.destroy(error));
  // An entry can fail before storage starts reading the output (put() may first create a folder
  // or a multipart upload): the destroyed output keeps the error for put() to meet, instead of
  // throwing it with no listener and ending the process.
  output.on("error", () => {});

  // Lazy entries: yazl asks for each stream only when it reaches that entry, so one split is
  // read at a time and the README, last, sees the final counts.
  const addStream = (name: string, create: () => Readable) =>
    zip.addReadStreamLazy(name, (callback) => {
      const stream = create();
      open.add(stream);
      // yazl pipes the stream without listening for its errors.
      stream.on("error", (error) => output.destroy(error));
      stream.once("close", () => open.delete(stream));
      callback(null, stream);
    });

  for (const split of options.splits) {
    addStream(`${split}.${extension}`, () =>
      format === "xlsx"
        ? xlsxStream(split, sheetColumns(taskType, options.conversations), splitCells(split, options, tally), tally.sheets)
        : Readable.from(splitText(split, taskType, { ...options, format }, tally), { objectMode: false }),
    );
  }
  if (!formatInfo(format).spreadsheet) {
    zip.addBuffer(Buffer.from(`${JSON.stringify(datasetInfo(format, taskType, options.splits, name, conversations), null, 2)}\n`), "dataset_info.json");
  }
  addStream("README.md", () => Readable.from([readme(options, tally.counts, tally)], { objectMode: false }));
  zip.end();

  try {
    const stored = await getStorage().put(fileKey, output, { contentType: "application/zip" });
    return { fileKey, sizeBytes: stored.size, sha256: stored.sha256, counts: tally.counts };
  } catch (error) {
    // When storage fails first, the split being read would otherwise wait on the ZIP forever.
    for (const stream of open) stream.destroy();
    throw error;
  }
}

/** The split's examples in export order, counted as they go. */
async function* splitExamples(split: Split, options: Resolved, tally: Tally) {
  for await (const example of iterateExamples(options.projectId, split, options.selection)) {
    tally.counts[split] += 1;
    tally.done += 1;
    yield example;
    if (tally.done % PROGRESS_EVERY === 0) await options.onProgress?.(tally.done);
  }
}

async function* splitText(split: Split, taskType: TaskType, options: Resolved & { format: LineFormat }, tally: Tally): AsyncGenerator<string> {
  const end = lineEnd(options.format);
  let chunk = fileHeader(options.format, taskType, options.conversations);
  for await (const example of splitExamples(split, options, tally)) {
    chunk += formatLine(options.format, options.reasoning ? withReasoning(example.data, example.reasoning) : example.data, options) + end;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

/** A sheet's rows: as many examples as fit under its header; the rest are counted as left out. */
async function* splitCells(split: Split, options: Resolved, tally: Tally): AsyncGenerator<string[]> {
  let rows = 0;
  for await (const example of splitExamples(split, options, tally)) {
    if (rows >= MAX_SHEET_ROWS - 1) {
      tally.counts[split] -= 1;
      tally.sheets.droppedRows += 1;
      continue;
    }
    rows += 1;
    yield sheetCells(options.reasoning ? withReasoning(example.data, example.reasoning) : example.data, options.conversations);
  }
}

/** The ZIP's README.md: the dataset card (lib/datasets/card), with this export's notes. */
function readme(options: Resolved, counts: ExportCounts, tally: Tally): string {
  const info = formatInfo(options.format);
  const system = info.systemPrompt && systemPromptOf(options) !== undefined;
  const files = Object.fromEntries(options.splits.map((split) => [split, `${split}.${info.extension}`]));
  const notes = [
    "## This export",
    "",
    info.description,
    "",
    ...(options.splits.includes("eval") ? [] : ["The eval split has no examples in this selection, so there is no eval file.", ""]),
    `- Selection: ${SELECTION_TEXT[options.selection]}.`,
    `- System prompt: ${system ? "included as the first turn of every conversation" : "none"}.`,
    `- Reasoning: ${options.reasoning ? "before each answer that has it, in a <think> block" : "left out"}.`,
    `- Exported: ${new Date().toISOString()}.`,
    "",
    ...(options.format === "csv"
      ? [
          "CSV is for reading and editing in a spreadsheet. Training tools load CSV with column types guessed",
          'from the values (an answer "007" becomes the number 7, an empty input becomes null), so for',
          "LLaMA-Factory, axolotl or TRL export JSON Lines or Alpaca instead: those come with `dataset_info.json`.",
        ]
      : options.format === "xlsx"
        ? [
            "Each workbook is for reading and editing in Excel, Numbers or LibreOffice: one example per row under a frozen",
            "header, every cell text (never a formula). For LLaMA-Factory, axolotl or TRL export JSON Lines or Alpaca instead.",
            ...(tally.sheets.truncatedCells
              ? ["", `${tally.sheets.truncatedCells} cell(s) held more than Excel's 32,767 characters and were cut there; the other formats keep them whole.`]
              : []),
            ...(tally.sheets.droppedRows ? ["", `${tally.sheets.droppedRows} example(s) did not fit in a sheet's 1,048,576 rows and are left out.`] : []),
          ]
        : [
            "`dataset_info.json` registers the files for LLaMA-Factory: use this folder as `dataset_dir`, with",
            `\`dataset: ${datasetEntryName(options.name, "train")}\`${options.splits.includes("eval") ? ` and \`eval_dataset: ${datasetEntryName(options.name, "eval")}\`` : ""}. The entries are named`,
            "after the project, so they can be merged into an existing `dataset_info.json`.",
          ]),
  ];
  return renderDatasetCard(options.facts, { files, counts, format: info.label, loadable: info.extension !== "xlsx", notes });
}
