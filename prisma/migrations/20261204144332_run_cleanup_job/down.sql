-- AlterEnum
CREATE TYPE "job_type_new" AS ENUM ('chunking', 'import', 'dataset_preview', 'dataset_generate', 'dataset_judge', 'dataset_merge', 'hub_dataset_download', 'upload_check', 'test_set_generate', 'test_set_answer', 'project_clone', 'train', 'eval', 'model_merge', 'export', 'diagnostic');
ALTER TABLE "jobs" ALTER COLUMN "type" TYPE "job_type_new" USING ("type"::text::"job_type_new");
ALTER TYPE "job_type" RENAME TO "job_type_old";
ALTER TYPE "job_type_new" RENAME TO "job_type";
DROP TYPE "job_type_old";

