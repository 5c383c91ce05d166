-- AlterTable
ALTER TABLE "jobs" DROP COLUMN "llm_cost_usd",
DROP COLUMN "llm_tokens_in",
DROP COLUMN "llm_tokens_out";

