DROP TRIGGER IF EXISTS trg_jobs_notify_update ON "jobs";
DROP TRIGGER IF EXISTS trg_jobs_notify_insert ON "jobs";
DROP FUNCTION IF EXISTS ftf_notify_job_inserts();
CREATE TRIGGER trg_jobs_notify AFTER INSERT OR UPDATE ON "jobs"
  FOR EACH ROW EXECUTE FUNCTION ftf_notify_job_change();
