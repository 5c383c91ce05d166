-- AlterTable
ALTER TABLE "jobs" DROP COLUMN "error_detail";

-- AlterTable
ALTER TABLE "runs" DROP COLUMN "error_detail",
DROP COLUMN "prepared";

