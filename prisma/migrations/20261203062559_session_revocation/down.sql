-- AlterTable
ALTER TABLE "users" DROP COLUMN "session_version";

-- DropTable
DROP TABLE "revoked_sessions";

