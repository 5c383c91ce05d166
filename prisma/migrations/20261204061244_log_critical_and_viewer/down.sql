-- AlterEnum
UPDATE "app_logs" SET "level" = 'error' WHERE "level" = 'critical';
CREATE TYPE "log_level_new" AS ENUM ('debug', 'info', 'warn', 'error');
ALTER TABLE "app_logs" ALTER COLUMN "level" TYPE "log_level_new" USING ("level"::text::"log_level_new");
ALTER TYPE "log_level" RENAME TO "log_level_old";
ALTER TYPE "log_level_new" RENAME TO "log_level";
DROP TYPE "log_level_old";

-- DropIndex
DROP INDEX "app_logs_workspace_id_id_idx";

