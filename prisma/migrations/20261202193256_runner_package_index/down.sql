-- AlterTable
ALTER TABLE "runners" DROP COLUMN "extra_index_urls",
DROP COLUMN "find_links",
DROP COLUMN "package_index_url";

