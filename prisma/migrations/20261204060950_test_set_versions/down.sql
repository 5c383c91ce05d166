-- AlterTable
ALTER TABLE "test_sets" DROP COLUMN "version";

-- AlterTable
ALTER TABLE "test_answers" DROP COLUMN "set_version";

