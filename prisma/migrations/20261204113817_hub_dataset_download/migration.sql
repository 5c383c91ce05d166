-- AlterEnum
ALTER TYPE "job_type" ADD VALUE 'hub_dataset_download' AFTER 'dataset_merge';

