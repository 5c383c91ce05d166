-- DropForeignKey
ALTER TABLE "public"."accounts" DROP CONSTRAINT "accounts_user_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."workspaces" DROP CONSTRAINT "workspaces_created_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."memberships" DROP CONSTRAINT "memberships_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."memberships" DROP CONSTRAINT "memberships_user_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."invitations" DROP CONSTRAINT "invitations_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."invitations" DROP CONSTRAINT "invitations_invited_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."invitations" DROP CONSTRAINT "invitations_accepted_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."projects" DROP CONSTRAINT "projects_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."projects" DROP CONSTRAINT "projects_created_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."files" DROP CONSTRAINT "files_project_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."files" DROP CONSTRAINT "files_run_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."files" DROP CONSTRAINT "files_created_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."chunks" DROP CONSTRAINT "chunks_project_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."chunks" DROP CONSTRAINT "chunks_source_file_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."jobs" DROP CONSTRAINT "jobs_project_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."jobs" DROP CONSTRAINT "jobs_created_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."dataset_examples" DROP CONSTRAINT "dataset_examples_project_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."dataset_examples" DROP CONSTRAINT "dataset_examples_job_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."dataset_examples" DROP CONSTRAINT "dataset_examples_source_chunk_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."dataset_examples" DROP CONSTRAINT "dataset_examples_source_file_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."dataset_examples" DROP CONSTRAINT "dataset_examples_reviewed_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."runs" DROP CONSTRAINT "runs_project_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."runs" DROP CONSTRAINT "runs_job_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."runs" DROP CONSTRAINT "runs_dataset_version_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."runs" DROP CONSTRAINT "runs_preset_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."runs" DROP CONSTRAINT "runs_runner_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."runs" DROP CONSTRAINT "runs_created_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."dataset_versions" DROP CONSTRAINT "dataset_versions_project_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."dataset_versions" DROP CONSTRAINT "dataset_versions_created_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."dataset_version_items" DROP CONSTRAINT "dataset_version_items_version_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."training_presets" DROP CONSTRAINT "training_presets_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."training_presets" DROP CONSTRAINT "training_presets_created_by_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."run_metrics" DROP CONSTRAINT "run_metrics_run_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."eval_samples" DROP CONSTRAINT "eval_samples_run_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."eval_samples" DROP CONSTRAINT "eval_samples_source_chunk_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."llm_providers" DROP CONSTRAINT "llm_providers_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."runners" DROP CONSTRAINT "runners_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."workspace_secrets" DROP CONSTRAINT "workspace_secrets_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."app_logs" DROP CONSTRAINT "app_logs_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."app_logs" DROP CONSTRAINT "app_logs_project_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."app_logs" DROP CONSTRAINT "app_logs_job_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."audit_events" DROP CONSTRAINT "audit_events_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."audit_events" DROP CONSTRAINT "audit_events_actor_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."exports" DROP CONSTRAINT "exports_project_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."exports" DROP CONSTRAINT "exports_run_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."exports" DROP CONSTRAINT "exports_job_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."exports" DROP CONSTRAINT "exports_file_id_fkey";

-- DropForeignKey
ALTER TABLE "public"."exports" DROP CONSTRAINT "exports_created_by_id_fkey";

-- DropTable
DROP TABLE "public"."users";

-- DropTable
DROP TABLE "public"."accounts";

-- DropTable
DROP TABLE "public"."login_attempts";

-- DropTable
DROP TABLE "public"."workspaces";

-- DropTable
DROP TABLE "public"."memberships";

-- DropTable
DROP TABLE "public"."invitations";

-- DropTable
DROP TABLE "public"."projects";

-- DropTable
DROP TABLE "public"."files";

-- DropTable
DROP TABLE "public"."chunks";

-- DropTable
DROP TABLE "public"."jobs";

-- DropTable
DROP TABLE "public"."dataset_examples";

-- DropTable
DROP TABLE "public"."runs";

-- DropTable
DROP TABLE "public"."dataset_versions";

-- DropTable
DROP TABLE "public"."dataset_version_items";

-- DropTable
DROP TABLE "public"."training_presets";

-- DropTable
DROP TABLE "public"."run_metrics";

-- DropTable
DROP TABLE "public"."eval_samples";

-- DropTable
DROP TABLE "public"."llm_providers";

-- DropTable
DROP TABLE "public"."runners";

-- DropTable
DROP TABLE "public"."settings";

-- DropTable
DROP TABLE "public"."workspace_secrets";

-- DropTable
DROP TABLE "public"."app_logs";

-- DropTable
DROP TABLE "public"."audit_events";

-- DropTable
DROP TABLE "public"."exports";

-- DropEnum
DROP TYPE "public"."task_type";

-- DropEnum
DROP TYPE "public"."project_status";

-- DropEnum
DROP TYPE "public"."file_kind";

-- DropEnum
DROP TYPE "public"."file_status";

-- DropEnum
DROP TYPE "public"."job_type";

-- DropEnum
DROP TYPE "public"."job_status";

-- DropEnum
DROP TYPE "public"."finetune_method";

-- DropEnum
DROP TYPE "public"."dataset_split";

-- DropEnum
DROP TYPE "public"."role";

-- DropEnum
DROP TYPE "public"."review_status";

-- DropEnum
DROP TYPE "public"."llm_provider_kind";

-- DropEnum
DROP TYPE "public"."runner_kind";

-- DropEnum
DROP TYPE "public"."export_format";

-- DropEnum
DROP TYPE "public"."log_level";

