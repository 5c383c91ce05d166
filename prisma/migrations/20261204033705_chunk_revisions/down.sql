-- DropForeignKey
ALTER TABLE "chunk_revisions" DROP CONSTRAINT "chunk_revisions_project_id_fkey";

-- DropForeignKey
ALTER TABLE "chunk_revisions" DROP CONSTRAINT "chunk_revisions_source_file_id_fkey";

-- AlterTable
ALTER TABLE "chunks" DROP COLUMN "edited_at";

-- DropTable
DROP TABLE "chunk_revisions";

