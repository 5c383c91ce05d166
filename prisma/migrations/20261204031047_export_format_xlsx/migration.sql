-- AlterEnum
ALTER TYPE "export_format" ADD VALUE 'xlsx' AFTER 'csv';

