-- DropIndex
DROP INDEX "idx_jobs_project";

-- DropIndex
DROP INDEX "idx_jobs_status";

-- DropIndex
DROP INDEX "idx_jobs_type";

-- CreateIndex
CREATE INDEX "idx_jobs_project_type_status" ON "jobs"("project_id", "type", "status");

