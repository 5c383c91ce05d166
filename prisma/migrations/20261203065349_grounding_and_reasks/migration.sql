-- AlterTable
ALTER TABLE "dataset_examples" ADD COLUMN     "grounding" REAL;

-- AlterTable
ALTER TABLE "generation_tasks" ADD COLUMN     "reasks" INTEGER NOT NULL DEFAULT 0;

