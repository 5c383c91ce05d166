-- AlterEnum
ALTER TYPE "job_type" ADD VALUE 'dataset_judge' AFTER 'dataset_generate';

-- AlterTable
ALTER TABLE "dataset_examples" ADD COLUMN     "judge_reason" TEXT,
ADD COLUMN     "judge_score" REAL;

-- CreateIndex
CREATE INDEX "idx_examples_judge" ON "dataset_examples"("project_id", "judge_score", "created_at" DESC, "id" DESC);

