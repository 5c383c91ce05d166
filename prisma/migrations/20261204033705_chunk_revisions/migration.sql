-- AlterTable
ALTER TABLE "chunks" ADD COLUMN     "edited_at" TIMESTAMPTZ(6);

-- CreateTable
CREATE TABLE "chunk_revisions" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "chunk_id" UUID NOT NULL,
    "source_file_id" UUID,
    "chunk_index" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "metadata" JSONB DEFAULT '{}',
    "reason" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chunk_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "chunk_revisions_project_id_idx" ON "chunk_revisions"("project_id");

-- CreateIndex
CREATE INDEX "chunk_revisions_chunk_id_idx" ON "chunk_revisions"("chunk_id");

-- AddForeignKey
ALTER TABLE "chunk_revisions" ADD CONSTRAINT "chunk_revisions_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chunk_revisions" ADD CONSTRAINT "chunk_revisions_source_file_id_fkey" FOREIGN KEY ("source_file_id") REFERENCES "files"("id") ON DELETE SET NULL ON UPDATE CASCADE;

