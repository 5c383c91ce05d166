-- AlterEnum
ALTER TYPE "job_type" ADD VALUE 'project_clone' AFTER 'test_set_answer';

