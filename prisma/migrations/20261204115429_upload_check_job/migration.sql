-- AlterEnum
ALTER TYPE "job_type" ADD VALUE 'upload_check' AFTER 'hub_dataset_download';

