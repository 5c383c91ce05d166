-- Seed 000 §4: updated_at maintained by the database too, so raw SQL writes (the job
-- runtime's progress updates) keep it right.
CREATE OR REPLACE FUNCTION ftf_update_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trg_projects_updated BEFORE UPDATE ON "projects"
  FOR EACH ROW EXECUTE FUNCTION ftf_update_updated_at();

CREATE TRIGGER trg_jobs_updated BEFORE UPDATE ON "jobs"
  FOR EACH ROW EXECUTE FUNCTION ftf_update_updated_at();

-- Every change to a job is announced on one channel; the web process holds a single
-- LISTEN connection and fans changes out to the open job streams (SSE).
CREATE OR REPLACE FUNCTION ftf_notify_job_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('ftf_job_changes', json_build_object('id', NEW.id, 'projectId', NEW.project_id)::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trg_jobs_notify AFTER INSERT OR UPDATE ON "jobs"
  FOR EACH ROW EXECUTE FUNCTION ftf_notify_job_change();
