-- AlterEnum
ALTER TYPE "log_level" ADD VALUE 'critical' AFTER 'error';

-- CreateIndex
CREATE INDEX "app_logs_workspace_id_id_idx" ON "app_logs"("workspace_id", "id");

