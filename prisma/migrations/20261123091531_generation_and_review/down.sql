-- DropForeignKey
ALTER TABLE "generation_tasks" DROP CONSTRAINT "generation_tasks_job_id_fkey";

-- DropForeignKey
ALTER TABLE "generation_tasks" DROP CONSTRAINT "generation_tasks_project_id_fkey";

-- DropForeignKey
ALTER TABLE "generation_tasks" DROP CONSTRAINT "generation_tasks_chunk_id_fkey";

-- DropIndex
DROP INDEX "idx_examples_project";

-- DropIndex
DROP INDEX "idx_examples_split";

-- DropIndex
DROP INDEX "idx_examples_valid";

-- DropIndex
DROP INDEX "idx_examples_review";

-- DropIndex
DROP INDEX "idx_examples_duplicate";

-- DropIndex
DROP INDEX "idx_examples_stats";

-- DropIndex
DROP INDEX "dataset_examples_source_chunk_id_idx";

-- DropIndex
DROP INDEX "dataset_examples_source_file_id_idx";

-- DropIndex
DROP INDEX "dataset_examples_job_id_idx";

-- DropIndex
DROP INDEX "idx_examples_search";

-- AlterTable
ALTER TABLE "dataset_examples" DROP COLUMN "search_text";

-- DropTable
DROP TABLE "generation_tasks";

-- DropEnum
DROP TYPE "generation_task_status";

-- CreateIndex
CREATE INDEX "idx_examples_project" ON "dataset_examples"("project_id");

-- CreateIndex
CREATE INDEX "idx_examples_split" ON "dataset_examples"("project_id", "split");

-- CreateIndex
CREATE INDEX "idx_examples_valid" ON "dataset_examples"("project_id", "is_valid");

