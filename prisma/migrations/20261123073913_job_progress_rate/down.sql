-- AlterTable
ALTER TABLE "jobs" DROP COLUMN "attempts",
DROP COLUMN "eta_seconds",
DROP COLUMN "items_per_second";

