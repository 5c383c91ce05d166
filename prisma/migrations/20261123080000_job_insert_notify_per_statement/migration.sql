-- Enqueuing a batch of jobs announced every row; now an INSERT statement announces each
-- project it touched once ("resync": open job streams re-read their list), and updates
-- (progress, status) stay announced per row.
DROP TRIGGER IF EXISTS trg_jobs_notify ON "jobs";

CREATE OR REPLACE FUNCTION ftf_notify_job_inserts() RETURNS trigger AS $$
DECLARE
  project uuid;
BEGIN
  FOR project IN SELECT DISTINCT project_id FROM inserted LOOP
    PERFORM pg_notify('ftf_job_changes', json_build_object('projectId', project, 'resync', true)::text);
  END LOOP;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trg_jobs_notify_insert AFTER INSERT ON "jobs"
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION ftf_notify_job_inserts();

CREATE TRIGGER trg_jobs_notify_update AFTER UPDATE ON "jobs"
  FOR EACH ROW EXECUTE FUNCTION ftf_notify_job_change();
