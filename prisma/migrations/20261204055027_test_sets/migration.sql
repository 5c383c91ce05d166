-- CreateEnum
CREATE TYPE "test_question_type" AS ENUM ('true_false', 'multiple_choice', 'short_answer', 'open_answer');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "job_type" ADD VALUE 'test_set_generate' AFTER 'dataset_judge';
ALTER TYPE "job_type" ADD VALUE 'test_set_answer' AFTER 'test_set_generate';

-- CreateTable
CREATE TABLE "test_sets" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "test_sets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "test_questions" (
    "id" UUID NOT NULL,
    "test_set_id" UUID NOT NULL,
    "source_chunk_id" UUID,
    "type" "test_question_type" NOT NULL,
    "question" TEXT NOT NULL,
    "options" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "answer" TEXT NOT NULL,
    "accepted" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "rubric" TEXT,
    "review_status" "review_status" NOT NULL DEFAULT 'pending',
    "train_overlap" REAL,
    "natural_key" VARCHAR(200) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "test_questions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "test_answers" (
    "id" UUID NOT NULL,
    "test_set_id" UUID NOT NULL,
    "question_id" UUID NOT NULL,
    "model" VARCHAR(300) NOT NULL,
    "answer" TEXT NOT NULL,
    "score" REAL,
    "judge_reason" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "test_answers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "arena_votes" (
    "id" UUID NOT NULL,
    "test_set_id" UUID NOT NULL,
    "question_id" UUID NOT NULL,
    "model_a" VARCHAR(300) NOT NULL,
    "model_b" VARCHAR(300) NOT NULL,
    "winner" VARCHAR(4) NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "arena_votes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "test_sets_project_id_created_at_idx" ON "test_sets"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "test_questions_test_set_id_type_idx" ON "test_questions"("test_set_id", "type");

-- CreateIndex
CREATE UNIQUE INDEX "test_questions_test_set_id_natural_key_key" ON "test_questions"("test_set_id", "natural_key");

-- CreateIndex
CREATE INDEX "test_answers_test_set_id_model_idx" ON "test_answers"("test_set_id", "model");

-- CreateIndex
CREATE UNIQUE INDEX "test_answers_question_id_model_key" ON "test_answers"("question_id", "model");

-- CreateIndex
CREATE INDEX "arena_votes_test_set_id_model_a_model_b_idx" ON "arena_votes"("test_set_id", "model_a", "model_b");

-- CreateIndex
CREATE UNIQUE INDEX "arena_votes_question_id_model_a_model_b_user_id_key" ON "arena_votes"("question_id", "model_a", "model_b", "user_id");

-- AddForeignKey
ALTER TABLE "test_sets" ADD CONSTRAINT "test_sets_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "test_sets" ADD CONSTRAINT "test_sets_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "test_questions" ADD CONSTRAINT "test_questions_test_set_id_fkey" FOREIGN KEY ("test_set_id") REFERENCES "test_sets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "test_questions" ADD CONSTRAINT "test_questions_source_chunk_id_fkey" FOREIGN KEY ("source_chunk_id") REFERENCES "chunks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "test_answers" ADD CONSTRAINT "test_answers_test_set_id_fkey" FOREIGN KEY ("test_set_id") REFERENCES "test_sets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "test_answers" ADD CONSTRAINT "test_answers_question_id_fkey" FOREIGN KEY ("question_id") REFERENCES "test_questions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "arena_votes" ADD CONSTRAINT "arena_votes_test_set_id_fkey" FOREIGN KEY ("test_set_id") REFERENCES "test_sets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "arena_votes" ADD CONSTRAINT "arena_votes_question_id_fkey" FOREIGN KEY ("question_id") REFERENCES "test_questions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "arena_votes" ADD CONSTRAINT "arena_votes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

