-- DropIndex
DROP INDEX "idx_examples_tags";

-- DropIndex
DROP INDEX "idx_examples_rating";

-- AlterTable
ALTER TABLE "dataset_examples" DROP COLUMN "rating",
DROP COLUMN "tags";

