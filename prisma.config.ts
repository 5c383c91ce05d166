// Prisma CLI configuration. The wasm schema engine (engine: "js") is the one that works
// offline; it reaches the database through the same pg driver adapter the app uses.

import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";
import { databaseUrl } from "./lib/env";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    return new PrismaPg({ connectionString: databaseUrl() });
  },
});
