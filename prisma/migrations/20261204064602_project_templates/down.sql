-- DropForeignKey
ALTER TABLE "project_templates" DROP CONSTRAINT "project_templates_workspace_id_fkey";

-- DropForeignKey
ALTER TABLE "project_templates" DROP CONSTRAINT "project_templates_created_by_id_fkey";

-- DropTable
DROP TABLE "project_templates";

