-- AlterTable
ALTER TABLE "runs" DROP COLUMN "description",
DROP COLUMN "tags";

