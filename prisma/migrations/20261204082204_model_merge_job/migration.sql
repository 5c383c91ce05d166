-- AlterEnum
ALTER TYPE "job_type" ADD VALUE 'model_merge' AFTER 'eval';

