-- AlterEnum
ALTER TYPE "job_type" ADD VALUE 'run_cleanup' AFTER 'export';

