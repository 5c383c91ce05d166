-- AlterTable
ALTER TABLE "dataset_examples" ADD COLUMN     "rating" SMALLINT,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "idx_examples_tags" ON "dataset_examples" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "idx_examples_rating" ON "dataset_examples"("project_id", "rating", "created_at" DESC, "id" DESC);

