-- AlterEnum
ALTER TYPE "job_type" ADD VALUE 'dataset_merge' AFTER 'dataset_judge';

