DROP TRIGGER IF EXISTS trg_jobs_notify ON "jobs";
DROP FUNCTION IF EXISTS ftf_notify_job_change();
DROP TRIGGER IF EXISTS trg_jobs_updated ON "jobs";
DROP TRIGGER IF EXISTS trg_projects_updated ON "projects";
DROP FUNCTION IF EXISTS ftf_update_updated_at();
