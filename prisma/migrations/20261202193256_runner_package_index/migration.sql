-- AlterTable
ALTER TABLE "runners" ADD COLUMN     "extra_index_urls" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "find_links" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "package_index_url" VARCHAR(1024);

