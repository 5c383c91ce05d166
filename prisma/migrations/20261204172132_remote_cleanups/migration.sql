-- CreateTable
CREATE TABLE "remote_cleanups" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "runner_id" UUID NOT NULL,
    "run_id" UUID NOT NULL,
    "remote_dir" VARCHAR(1024) NOT NULL,
    "label" VARCHAR(512) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "remote_cleanups_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "remote_cleanups_next_attempt_at_idx" ON "remote_cleanups"("next_attempt_at");

-- AddForeignKey
ALTER TABLE "remote_cleanups" ADD CONSTRAINT "remote_cleanups_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "remote_cleanups" ADD CONSTRAINT "remote_cleanups_runner_id_fkey" FOREIGN KEY ("runner_id") REFERENCES "runners"("id") ON DELETE CASCADE ON UPDATE CASCADE;

