-- AlterTable
ALTER TABLE "test_sets" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "test_answers" ADD COLUMN     "set_version" INTEGER NOT NULL DEFAULT 1;

