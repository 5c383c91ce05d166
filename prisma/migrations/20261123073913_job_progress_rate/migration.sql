-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "eta_seconds" INTEGER,
ADD COLUMN     "items_per_second" DOUBLE PRECISION;

