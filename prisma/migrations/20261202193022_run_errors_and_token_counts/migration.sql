-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "error_detail" TEXT;

-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "error_detail" TEXT,
ADD COLUMN     "prepared" JSONB;

