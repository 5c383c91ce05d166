// A large export must stream: 200,000 examples of about 1 KB (~200 MB of text) go out while the
// process grows no more than for an export a tenth the size. Peak RSS on the same code varies a
// lot between runs on an idle machine (this file measured +75 to +123 MB, both before and after
// the 2026-12-04 changes) because V8 and malloc keep what they freed; what streaming guarantees,
// and what an export holding its data would break by hundreds of MB, is that the peak does not
// grow with the number of examples.
import crypto from "node:crypto";
import path from "node:path";
import readline from "node:readline";
import { beforeAll, expect, it } from "vitest";
import yauzl from "yauzl";
import { db } from "@/lib/db/client";
import { storageDir } from "@/lib/env";
import { createProjectIn, createTeam } from "@/tests/support/fixtures";
import { writeDatasetExport } from "./write";

const EXAMPLES = 200_000;
const WARM_UP_EXAMPLES = 20_000;
const MB = 1024 * 1024;

let workspaceId: string;
let projectId: string;
let warmUpProjectId: string;

/** Ids are `firstId`, `firstId + 1`, …: sequential ids keep the index inserts cheap. md5 text gives deflate real work. */
async function insertExamples(project: string, count: number, firstId: number) {
  await db.$executeRawUnsafe(
    `INSERT INTO dataset_examples (id, project_id, natural_key, split, data)
     SELECT lpad(to_hex(${firstId} + i), 32, '0')::uuid, $1::uuid, 'row-' || i, (CASE WHEN i % 10 = 0 THEN 'eval' ELSE 'train' END)::dataset_split,
            jsonb_build_object('instruction', 'Question ' || i || ': ' || repeat(md5(i::text), 4), 'input', '',
                               'output', repeat(md5((i * 7)::text) || ' ', 24))
     FROM generate_series(1, ${count}) AS i`,
    project,
  );
}

beforeAll(async () => {
  const team = await createTeam();
  workspaceId = team.workspace.id;
  // Projects of their own: createTeam's project comes with fixture examples.
  projectId = (await createProjectIn(workspaceId, "Large")).id;
  warmUpProjectId = (await createProjectIn(workspaceId, "Warm-up")).id;
  await insertExamples(projectId, EXAMPLES, 0);
  await insertExamples(warmUpProjectId, WARM_UP_EXAMPLES, EXAMPLES);
}, 120_000);

/** Runs an export, sampling RSS; returns the result and the peak growth over the RSS before it, in MB. */
async function measuredExport(project: string) {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 25);
  const started = performance.now();
  try {
    const result = await writeDatasetExport({ workspaceId, projectId: project, exportId: crypto.randomUUID(), format: "alpaca", onProgress: sample });
    sample();
    return { result, baseline, peak, growth: (peak - baseline) / MB, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

/** Streams train.jsonl out of the stored ZIP: its line count and the byte length of its first line. */
async function readTrain(file: string): Promise<{ lines: number; firstLineBytes: number }> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== "train.jsonl") continue;
      let lines = 0;
      let firstLineBytes = 0;
      for await (const line of readline.createInterface({ input: await zip.openReadStreamPromise(entry), crlfDelay: Infinity })) {
        if (lines === 0) firstLineBytes = Buffer.byteLength(line);
        expect(JSON.parse(line)).toHaveProperty("output");
        lines += 1;
      }
      return { lines, firstLineBytes };
    }
    throw new Error("train.jsonl is missing");
  } finally {
    zip.close();
  }
}

it("exports 200,000 examples with RSS growth that does not scale with them (within 60 MB of a 20,000-example export's, under 160 MB)", async () => {
  // The first large export in a process also sizes V8's heap (young generation up to 32 MB,
  // old-space limit a few times the live heap): a one-time cost, the same for any dataset
  // size. A small export first takes it, so the figure below is what grows with the data.
  const warmUp = await measuredExport(warmUpProjectId);
  const run = await measuredExport(projectId);
  console.info(
    `warm-up export of ${WARM_UP_EXAMPLES} examples: RSS +${warmUp.growth.toFixed(1)} MB; ` +
      `export of ${EXAMPLES} examples: ${run.seconds.toFixed(1)} s, ZIP ${(run.result.sizeBytes / MB).toFixed(1)} MB, ` +
      `RSS ${(run.baseline / MB).toFixed(0)} → peak ${(run.peak / MB).toFixed(0)} MB (+${run.growth.toFixed(1)} MB)`,
  );

  expect(warmUp.result.counts).toEqual({ train: 18_000, eval: 2_000 });
  expect(run.result.counts).toEqual({ train: 180_000, eval: 20_000 });
  expect(run.growth).toBeLessThan(warmUp.growth + 60);
  expect(run.growth).toBeLessThan(160);
  const train = await readTrain(path.join(storageDir(), run.result.fileKey));
  expect(train.lines).toBe(180_000);
  expect(train.firstLineBytes).toBeGreaterThan(900);
}, 180_000);
