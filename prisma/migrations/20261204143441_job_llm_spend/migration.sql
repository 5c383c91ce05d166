-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "llm_cost_usd" DOUBLE PRECISION,
ADD COLUMN     "llm_tokens_in" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "llm_tokens_out" INTEGER NOT NULL DEFAULT 0;

