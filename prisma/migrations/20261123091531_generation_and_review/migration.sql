-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "generation_task_status" AS ENUM ('pending', 'running', 'done', 'failed', 'skipped');

-- DropIndex
DROP INDEX "idx_examples_project";

-- DropIndex
DROP INDEX "idx_examples_split";

-- DropIndex
DROP INDEX "idx_examples_valid";

-- AlterTable
ALTER TABLE "dataset_examples" ADD COLUMN     "search_text" TEXT;

-- CreateTable
CREATE TABLE "generation_tasks" (
    "id" BIGSERIAL NOT NULL,
    "job_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "chunk_id" UUID,
    "position" INTEGER NOT NULL,
    "status" "generation_task_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "examples" INTEGER NOT NULL DEFAULT 0,
    "tokens_in" INTEGER NOT NULL DEFAULT 0,
    "tokens_out" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "generation_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "generation_tasks_job_id_status_position_idx" ON "generation_tasks"("job_id", "status", "position");

-- CreateIndex
CREATE INDEX "generation_tasks_project_id_idx" ON "generation_tasks"("project_id");

-- CreateIndex
CREATE UNIQUE INDEX "generation_tasks_job_id_position_key" ON "generation_tasks"("job_id", "position");

-- CreateIndex
CREATE INDEX "idx_examples_project" ON "dataset_examples"("project_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "idx_examples_split" ON "dataset_examples"("project_id", "split", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "idx_examples_valid" ON "dataset_examples"("project_id", "is_valid", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "idx_examples_review" ON "dataset_examples"("project_id", "review_status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "idx_examples_duplicate" ON "dataset_examples"("project_id", "is_duplicate", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "idx_examples_stats" ON "dataset_examples"("project_id", "split", "is_valid", "review_status", "is_duplicate", "token_count");

-- CreateIndex
CREATE INDEX "dataset_examples_source_chunk_id_idx" ON "dataset_examples"("source_chunk_id");

-- CreateIndex
CREATE INDEX "dataset_examples_source_file_id_idx" ON "dataset_examples"("source_file_id");

-- CreateIndex
CREATE INDEX "dataset_examples_job_id_idx" ON "dataset_examples"("job_id");

-- CreateIndex
CREATE INDEX "idx_examples_search" ON "dataset_examples" USING GIN ("search_text" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "generation_tasks" ADD CONSTRAINT "generation_tasks_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "generation_tasks" ADD CONSTRAINT "generation_tasks_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "generation_tasks" ADD CONSTRAINT "generation_tasks_chunk_id_fkey" FOREIGN KEY ("chunk_id") REFERENCES "chunks"("id") ON DELETE SET NULL ON UPDATE CASCADE;



-- Text search covers examples that existed before this column.
UPDATE "dataset_examples"
SET "search_text" = lower(concat_ws(' ', data->>'instruction', data->>'input', data->>'output', data->>'question', data->>'answer'))
WHERE "search_text" IS NULL;
