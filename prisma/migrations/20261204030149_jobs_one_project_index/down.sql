-- DropIndex
DROP INDEX "idx_jobs_project_type_status";

-- CreateIndex
CREATE INDEX "idx_jobs_project" ON "jobs"("project_id");

-- CreateIndex
CREATE INDEX "idx_jobs_status" ON "jobs"("project_id", "status");

-- CreateIndex
CREATE INDEX "idx_jobs_type" ON "jobs"("project_id", "type");

