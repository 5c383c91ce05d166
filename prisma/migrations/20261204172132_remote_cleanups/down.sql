-- DropForeignKey
ALTER TABLE "remote_cleanups" DROP CONSTRAINT "remote_cleanups_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "remote_cleanups" DROP CONSTRAINT "remote_cleanups_runner_id_fkey";

-- DropTable
DROP TABLE "remote_cleanups";

