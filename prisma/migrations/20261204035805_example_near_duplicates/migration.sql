-- AlterTable
ALTER TABLE "dataset_examples" ADD COLUMN     "near_dup_group" UUID;

-- CreateTable
CREATE TABLE "example_minhashes" (
    "example_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "signature" BYTEA NOT NULL,

    CONSTRAINT "example_minhashes_pkey" PRIMARY KEY ("example_id")
);

-- CreateIndex
CREATE INDEX "example_minhashes_project_id_idx" ON "example_minhashes"("project_id");

-- CreateIndex
CREATE INDEX "idx_examples_near_dup" ON "dataset_examples"("project_id", "near_dup_group");

-- AddForeignKey
ALTER TABLE "example_minhashes" ADD CONSTRAINT "example_minhashes_example_id_fkey" FOREIGN KEY ("example_id") REFERENCES "dataset_examples"("id") ON DELETE CASCADE ON UPDATE CASCADE;

