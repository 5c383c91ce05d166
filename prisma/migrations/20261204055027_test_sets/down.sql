-- AlterEnum
CREATE TYPE "job_type_new" AS ENUM ('chunking', 'import', 'dataset_preview', 'dataset_generate', 'dataset_judge', 'train', 'eval', 'export', 'diagnostic');
ALTER TABLE "jobs" ALTER COLUMN "type" TYPE "job_type_new" USING ("type"::text::"job_type_new");
ALTER TYPE "job_type" RENAME TO "job_type_old";
ALTER TYPE "job_type_new" RENAME TO "job_type";
DROP TYPE "job_type_old";

-- DropForeignKey
ALTER TABLE "test_sets" DROP CONSTRAINT "test_sets_project_id_fkey";

-- DropForeignKey
ALTER TABLE "test_sets" DROP CONSTRAINT "test_sets_created_by_id_fkey";

-- DropForeignKey
ALTER TABLE "test_questions" DROP CONSTRAINT "test_questions_test_set_id_fkey";

-- DropForeignKey
ALTER TABLE "test_questions" DROP CONSTRAINT "test_questions_source_chunk_id_fkey";

-- DropForeignKey
ALTER TABLE "test_answers" DROP CONSTRAINT "test_answers_test_set_id_fkey";

-- DropForeignKey
ALTER TABLE "test_answers" DROP CONSTRAINT "test_answers_question_id_fkey";

-- DropForeignKey
ALTER TABLE "arena_votes" DROP CONSTRAINT "arena_votes_test_set_id_fkey";

-- DropForeignKey
ALTER TABLE "arena_votes" DROP CONSTRAINT "arena_votes_question_id_fkey";

-- DropForeignKey
ALTER TABLE "arena_votes" DROP CONSTRAINT "arena_votes_user_id_fkey";

-- DropTable
DROP TABLE "test_sets";

-- DropTable
DROP TABLE "test_questions";

-- DropTable
DROP TABLE "test_answers";

-- DropTable
DROP TABLE "arena_votes";

-- DropEnum
DROP TYPE "test_question_type";

