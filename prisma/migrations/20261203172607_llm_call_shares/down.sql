-- DropForeignKey
ALTER TABLE "llm_call_shares" DROP CONSTRAINT "llm_call_shares_job_id_fkey";

-- DropTable
DROP TABLE "llm_call_shares";

