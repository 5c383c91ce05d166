-- AlterEnum (runs inside the migrator's transaction). Judge jobs cannot outlive their type.
DELETE FROM "jobs" WHERE "type" = 'dataset_judge';
CREATE TYPE "job_type_new" AS ENUM ('chunking', 'import', 'dataset_preview', 'dataset_generate', 'train', 'eval', 'export', 'diagnostic');
ALTER TABLE "jobs" ALTER COLUMN "type" TYPE "job_type_new" USING ("type"::text::"job_type_new");
ALTER TYPE "job_type" RENAME TO "job_type_old";
ALTER TYPE "job_type_new" RENAME TO "job_type";
DROP TYPE "job_type_old";

-- DropIndex
DROP INDEX "idx_examples_judge";

-- AlterTable
ALTER TABLE "dataset_examples" DROP COLUMN "judge_reason",
DROP COLUMN "judge_score";
