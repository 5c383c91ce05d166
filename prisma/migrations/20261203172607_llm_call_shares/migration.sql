-- CreateTable
CREATE TABLE "llm_call_shares" (
    "job_id" UUID NOT NULL,
    "endpoint_key" TEXT NOT NULL,
    "workspace_id" UUID NOT NULL,
    "worker_id" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "call_limit" INTEGER NOT NULL,
    "wanted" INTEGER NOT NULL DEFAULT 0,
    "allowance" INTEGER NOT NULL DEFAULT 0,
    "in_flight" INTEGER NOT NULL DEFAULT 0,
    "joined_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "llm_call_shares_pkey" PRIMARY KEY ("job_id")
);

-- CreateIndex
CREATE INDEX "llm_call_shares_endpoint_key_idx" ON "llm_call_shares"("endpoint_key");

-- AddForeignKey
ALTER TABLE "llm_call_shares" ADD CONSTRAINT "llm_call_shares_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

