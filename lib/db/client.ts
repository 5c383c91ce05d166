// The Prisma client: TypeScript query compiler + the pg driver adapter (no engine binary).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { databaseUrl } from "@/lib/env";

const globalForPrisma = globalThis as unknown as { __ftfPrisma?: PrismaClient };

function createClient(): PrismaClient {
  // Enough connections for a worker generating with dozens of calls in flight.
  const adapter = new PrismaPg({ connectionString: databaseUrl(), max: 20 });
  return new PrismaClient({ adapter });
}

/** One client per process (kept on globalThis so Next's dev reloads reuse it). */
export function getDb(): PrismaClient {
  globalForPrisma.__ftfPrisma ??= createClient();
  return globalForPrisma.__ftfPrisma;
}

/** Lazily-created client, so importing this module never needs a database. */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = getDb() as unknown as Record<string | symbol, unknown>;
    const value = client[property];
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(client) : value;
  },
});

export async function disconnectDb(): Promise<void> {
  const client = globalForPrisma.__ftfPrisma;
  globalForPrisma.__ftfPrisma = undefined;
  await client?.$disconnect();
}

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
