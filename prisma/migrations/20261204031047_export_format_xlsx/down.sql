-- AlterEnum (runs inside the migrator's transaction). XLSX exports cannot outlive their format.
DELETE FROM "exports" WHERE "format" = 'xlsx';
CREATE TYPE "export_format_new" AS ENUM ('jsonl', 'alpaca', 'sharegpt', 'openai', 'csv', 'bundle', 'hub');
ALTER TABLE "exports" ALTER COLUMN "format" TYPE "export_format_new" USING ("format"::text::"export_format_new");
ALTER TYPE "export_format" RENAME TO "export_format_old";
ALTER TYPE "export_format_new" RENAME TO "export_format";
DROP TYPE "export_format_old";
