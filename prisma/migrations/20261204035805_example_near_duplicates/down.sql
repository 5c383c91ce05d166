-- DropForeignKey
ALTER TABLE "example_minhashes" DROP CONSTRAINT "example_minhashes_example_id_fkey";

-- DropIndex
DROP INDEX "idx_examples_near_dup";

-- AlterTable
ALTER TABLE "dataset_examples" DROP COLUMN "near_dup_group";

-- DropTable
DROP TABLE "example_minhashes";

