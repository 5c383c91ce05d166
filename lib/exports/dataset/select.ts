// Which examples an export takes, read page by page so a dataset of any size streams through
// in constant memory.
import { Prisma } from "@prisma/client";
import { type ExampleData, exampleSchemaFor } from "@/lib/datasets/example";
import { db } from "@/lib/db/client";

/**
 * "approved": reviewed and approved; "valid" (the default): valid, not rejected, not a
 * duplicate; "all": everything, invalid examples included as long as their data still has the
 * project's shape.
 */
export type ExportSelection = "approved" | "valid" | "all";

export const DEFAULT_SELECTION: ExportSelection = "valid";

/** `reasoning`: the model's reasoning towards the answer, when generation asked for it (kept in the provenance). */
export type ExportedExample = { id: string; data: ExampleData; split: "train" | "eval"; reasoning?: string };

const FILTERS: Record<ExportSelection, Prisma.Sql> = {
  approved: Prisma.sql`e.review_status = 'approved'`,
  valid: Prisma.sql`e.is_valid AND e.review_status <> 'rejected' AND NOT e.is_duplicate`,
  all: Prisma.sql`TRUE`,
};

/** The selection as a condition on `dataset_examples e`. */
export function selectionFilter(selection: ExportSelection): Prisma.Sql {
  return FILTERS[selection];
}

type Cursor = { id: string; createdAt: string };
type PageQuery = {
  projectId: string;
  split: "train" | "eval";
  selection: ExportSelection;
  batchSize: number;
  schema: ReturnType<typeof exampleSchemaFor>;
};

/** One page of examples, and where the next one starts (none after a short page). */
async function fetchPage(query: PageQuery, after: Cursor | undefined): Promise<{ examples: ExportedExample[]; next: Cursor | undefined }> {
  const { projectId, split, selection, batchSize, schema } = query;
  // created_at travels as text: a JS Date would drop the microseconds and skip or repeat rows.
  // Columns are qualified because a bare `id` in ORDER BY would mean the text output column,
  // which the (project_id, split, created_at, id) index cannot serve.
  const rows = await db.$queryRaw<{ id: string; data: unknown; created_at: string; reasoning: string | null }[]>`
    SELECT e.id::text AS id, e.data, e.created_at::text AS created_at, e.provenance->>'reasoning' AS reasoning
    FROM dataset_examples e
    WHERE e.project_id = ${projectId}::uuid AND e.split = ${split}::dataset_split AND ${FILTERS[selection]}
      ${after ? Prisma.sql`AND (e.created_at, e.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)` : Prisma.empty}
    ORDER BY e.created_at, e.id
    LIMIT ${batchSize}`;
  const examples: ExportedExample[] = [];
  for (const row of rows) {
    const parsed = schema.safeParse(row.data);
    if (parsed.success) examples.push({ id: row.id, data: parsed.data, split, ...(row.reasoning ? { reasoning: row.reasoning } : {}) });
  }
  const last = rows.length === batchSize ? rows[rows.length - 1] : undefined;
  return { examples, next: last && { id: last.id, createdAt: last.created_at } };
}

/**
 * The split's examples in (createdAt, id) order. Keyset pages: each starts after the last row
 * of the previous one, so a page costs the same however deep the export is, and rows added
 * meanwhile cannot shift or repeat others. id breaks ties, since rows inserted by one statement
 * share created_at. Rows whose data is not an example of the project's task type are skipped.
 */
export async function* iterateExamples(
  projectId: string,
  split: "train" | "eval",
  selection: ExportSelection = DEFAULT_SELECTION,
  batchSize = 1000,
): AsyncGenerator<ExportedExample> {
  const { taskType } = await db.project.findUniqueOrThrow({ where: { id: projectId }, select: { taskType: true } });
  const query: PageQuery = { projectId, split, selection, batchSize, schema: exampleSchemaFor(taskType) };
  let after: Cursor | undefined;
  do {
    const page = await fetchPage(query, after);
    after = page.next;
    yield* page.examples;
  } while (after);
}
