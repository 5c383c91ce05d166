-- AlterTable
ALTER TABLE "dataset_examples" DROP COLUMN "grounding";

-- AlterTable
ALTER TABLE "generation_tasks" DROP COLUMN "reasks";

