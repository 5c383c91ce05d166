// `npm run backup` / `npm run restore`: one ZIP archive holds an instance — every table of the
// database as JSON lines read in one REPEATABLE READ snapshot, every stored object (local folder
// or bucket), and a manifest with the migrations applied, per-table row counts, columns and
// sha256, and each object's sha256. Restore rebuilds an empty instance: the schema up to the
// backup's last migration, the rows in foreign-key order in one transaction, the objects checked
// against their hashes, then the app's newer migrations. SECRET_KEY is not in the archive (it
// would decrypt every stored key); the manifest keeps its fingerprint to warn on a mismatch.
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import pg from "pg";
import yauzl from "yauzl";
import { ZipFile } from "yazl";
import { migrate } from "@/lib/db/migrator";
import { env } from "@/lib/env";
import { getStorage, type StorageDriver } from "@/lib/storage";
import { HashStream } from "@/lib/storage/hash-stream";

export const BACKUP_FORMAT = "finetuneflow-backup/1";
const OBJECT_PREFIX = "ws/";
const BATCH = 500;
const APP_VERSION = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

export type TableManifest = { name: string; rows: number; columns: string[]; sha256: string };
export type ObjectManifest = { key: string; size: number; sha256: string };
export type BackupManifest = {
  format: typeof BACKUP_FORMAT;
  app_version: string;
  created_at: string;
  migrations: string[];
  tables: TableManifest[];
  objects: ObjectManifest[];
  storage_driver: "local" | "s3";
  /** First 16 hex digits of sha256(SECRET_KEY): tells whether the restoring instance can decrypt stored secrets. */
  secret_key_fingerprint: string | null;
};

type Log = (message: string) => void;

export function secretKeyFingerprint(key: string | undefined = env().SECRET_KEY): string | null {
  return key ? crypto.createHash("sha256").update(key).digest("hex").slice(0, 16) : null;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function publicTables(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY tablename`,
  );
  return rows.map((r) => r.name);
}

async function appliedMigrations(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT migration_name AS name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows.map((r) => r.name);
}

/** Writes the archive to `outFile` (atomically: a partial file is never left under that name). */
export async function createBackup(outFile: string, options: { databaseUrl: string; log?: Log; storage?: StorageDriver }): Promise<BackupManifest> {
  const log = options.log ?? (() => {});
  const partial = `${outFile}.partial`;
  const zip = new ZipFile();
  const written = pipeline(zip.outputStream as Readable, fs.createWriteStream(partial));
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    // One snapshot for every table: the rows agree with each other as of this moment.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const migrations = await appliedMigrations(client);
    const tables: TableManifest[] = [];
    for (const name of await publicTables(client)) {
      const { rows: cols } = await client.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
        [name],
      );
      const columns = cols.map((c) => c.column_name);
      const list = columns.map(quote).join(", ");
      await client.query(`DECLARE dump NO SCROLL CURSOR FOR SELECT row_to_json(r)::text AS j FROM (SELECT ${list} FROM ${quote(name)}) r`);
      let count = 0;
      const lines = async function* () {
        for (;;) {
          const { rows } = await client.query<{ j: string }>(`FETCH ${BATCH} FROM dump`);
          if (rows.length === 0) return;
          count += rows.length;
          yield `${rows.map((r) => r.j).join("\n")}\n`;
        }
      };
      const tap = new HashStream();
      const body = Readable.from(lines()).pipe(tap);
      zip.addReadStream(body, `db/${name}.jsonl`);
      await finished(body);
      await client.query("CLOSE dump");
      tables.push({ name, rows: count, columns, sha256: tap.result().sha256 });
      log(`${name}: ${count} rows`);
    }
    await client.query("COMMIT");

    const storage = options.storage ?? getStorage();
    const objects: ObjectManifest[] = [];
    for await (const { key } of storage.list(OBJECT_PREFIX)) {
      const tap = new HashStream();
      const body = (await storage.get(key)).pipe(tap);
      zip.addReadStream(body, `storage/${key}`, { compress: false });
      await finished(body);
      objects.push({ key, ...tap.result() });
    }
    log(`${objects.length} stored objects, ${objects.reduce((s, o) => s + o.size, 0)} bytes`);

    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      app_version: APP_VERSION,
      created_at: new Date().toISOString(),
      migrations,
      tables,
      objects,
      storage_driver: storage.name,
      secret_key_fingerprint: secretKeyFingerprint(),
    };
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), "manifest.json");
    zip.end();
    await written;
    await fsp.rename(partial, outFile);
    return manifest;
  } catch (error) {
    zip.end();
    await written.catch(() => {});
    await fsp.rm(partial, { force: true });
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

// ───────────────────────────── restore ─────────────────────────────

type Archive = { manifest: BackupManifest; open(name: string): Promise<Readable>; close(): void };

async function openArchive(file: string): Promise<Archive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (error, z) => (error ? reject(error) : resolve(z))),
  );
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on("end", resolve);
    zip.on("error", reject);
    zip.readEntry();
  });
  const open = (name: string) => {
    const entry = entries.get(name);
    if (!entry) throw new Error(`The archive has no ${name}: it is not a complete FineTuneFlow backup.`);
    return new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
  };
  const chunks: Buffer[] = [];
  for await (const chunk of await open("manifest.json")) chunks.push(chunk as Buffer);
  const manifest = JSON.parse(Buffer.concat(chunks).toString("utf8")) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new Error(`Not a FineTuneFlow backup (format ${JSON.stringify(manifest.format)}).`);
  return { manifest, open, close: () => zip.close() };
}

type ForeignKey = { table: string; columns: string[]; references: string };

/**
 * Tables parents first (Kahn's order over their foreign keys), and per table the key columns that
 * must wait until every row is in: keys into the table itself, and keys that close a cycle.
 */
export async function insertOrder(client: pg.ClientBase, tables: string[]): Promise<{ order: string[]; deferred: Map<string, Set<string>> }> {
  const { rows } = await client.query<ForeignKey>(
    `SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS references,
            array_agg(a.attname ORDER BY a.attnum)::text[] AS columns
       FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
      GROUP BY c.oid, c.conrelid, c.confrelid`,
  );
  const unquote = (name: string) => name.replace(/^"|"$/g, "");
  const wanted = new Set(tables);
  const keys = rows
    .map((r) => ({ ...r, table: unquote(r.table), references: unquote(r.references) }))
    .filter((k) => wanted.has(k.table) && wanted.has(k.references));
  const order: string[] = [];
  const placed = new Set<string>();
  const deferred = new Map<string, Set<string>>();
  const defer = (table: string, columns: string[]) => {
    const set = deferred.get(table) ?? new Set<string>();
    for (const c of columns) set.add(c);
    deferred.set(table, set);
  };
  for (const k of keys) if (k.table === k.references) defer(k.table, k.columns);
  const waitsFor = (t: string) => keys.filter((k) => k.table === t && k.references !== t && !placed.has(k.references));
  const remaining = [...tables].sort();
  while (remaining.length > 0) {
    let index = remaining.findIndex((t) => waitsFor(t).length === 0);
    if (index < 0) {
      // A cycle: the first table goes in now, its keys into tables still to come are filled in later.
      index = 0;
      for (const k of waitsFor(remaining[0])) defer(k.table, k.columns);
    }
    const [table] = remaining.splice(index, 1);
    order.push(table);
    placed.add(table);
  }
  return { order, deferred };
}

async function* jsonBatches(stream: Readable): AsyncGenerator<string[]> {
  let batch: string[] = [];
  for await (const line of readline.createInterface({ input: stream, crlfDelay: Infinity })) {
    if (!line) continue;
    batch.push(line);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Rebuilds an instance from an archive into an empty database and storage. Refuses a database
 * that already holds users or workspaces, and an archive made by a newer version of the app.
 */
export async function restoreBackup(
  file: string,
  options: { databaseUrl: string; log?: Log; migrationsDir?: string; storage?: StorageDriver },
): Promise<BackupManifest> {
  const log = options.log ?? (() => {});
  const archive = await openArchive(file);
  const { manifest } = archive;
  try {
    const known = new Set(fs.readdirSync(options.migrationsDir ?? path.resolve("prisma/migrations")));
    const unknown = manifest.migrations.filter((m) => !known.has(m));
    if (unknown.length)
      throw new Error(`This backup was made by a newer FineTuneFlow (migration ${unknown[0]} is unknown here). Restore it with that version or later.`);
    // The schema as it was when the backup was made; the app's newer migrations run after the data is in.
    const last = manifest.migrations.at(-1);
    if (last) await migrate(options.databaseUrl, { target: last, dir: options.migrationsDir, log });
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(`SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM workspaces) AS n`);
      if (Number(rows[0].n) > 0) throw new Error("The database is not empty (it has users or workspaces). Restore into a new, empty instance.");
      const fingerprint = secretKeyFingerprint();
      if (manifest.secret_key_fingerprint && fingerprint !== manifest.secret_key_fingerprint) {
        log("Warning: SECRET_KEY differs from the backed-up instance's; stored API keys, SSH keys and tokens will not decrypt until it is set to the old one.");
      }

      // Objects first: rewriting one is harmless, and rows must never point at a missing object.
      const storage = options.storage ?? getStorage();
      for (const object of manifest.objects) {
        // put hashes what it stores.
        const got = await storage.put(object.key, await archive.open(`storage/${object.key}`));
        if (got.sha256 !== object.sha256) throw new Error(`Stored object ${object.key} is damaged in the archive (sha256 differs).`);
      }
      log(`${manifest.objects.length} stored objects restored`);

      const present = new Set(await publicTables(client));
      const tables = manifest.tables.filter((t) => present.has(t.name));
      const { order, deferred } = await insertOrder(
        client,
        tables.map((t) => t.name),
      );
      if (deferred.size) log(`Filled in after every row is in: ${[...deferred].map(([t, cols]) => `${t}(${[...cols].join(", ")})`).join("; ")}`);
      await client.query("BEGIN");
      try {
        for (const name of order) {
          const table = tables.find((t) => t.name === name)!;
          const { rows: targetCols } = await client.query<{ column_name: string; identity: string }>(
            `SELECT column_name, is_identity AS identity FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'`,
            [name],
          );
          const usable = new Set(targetCols.map((c) => c.column_name));
          const later = deferred.get(name) ?? new Set<string>();
          const columns = table.columns
            .filter((c) => usable.has(c) && !later.has(c))
            .map(quote)
            .join(", ");
          const overriding = targetCols.some((c) => c.identity === "YES") ? "OVERRIDING SYSTEM VALUE" : "";
          const tap = new HashStream();
          let count = 0;
          const stream = (await archive.open(`db/${name}.jsonl`)).pipe(tap);
          for await (const batch of jsonBatches(stream)) {
            await client.query(
              `INSERT INTO ${quote(name)} (${columns}) ${overriding} SELECT ${columns} FROM json_populate_recordset(NULL::${quote(name)}, $1::json)`,
              [`[${batch.join(",")}]`],
            );
            count += batch.length;
          }
          if (tap.result().sha256 !== table.sha256 || count !== table.rows)
            throw new Error(`Table ${name} is damaged in the archive (${count} of ${table.rows} rows, or its sha256 differs).`);
          log(`${name}: ${count} rows`);
        }
        // Keys into the table itself (or closing a cycle), now that every row they point at exists.
        for (const [name, columns] of deferred) {
          const { rows: pk } = await client.query<{ attname: string }>(
            `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary`,
            [quote(name)],
          );
          const set = [...columns].map((c) => `${quote(c)} = s.${quote(c)}`).join(", ");
          const on = pk.map((k) => `t.${quote(k.attname)} = s.${quote(k.attname)}`).join(" AND ");
          for await (const batch of jsonBatches(await archive.open(`db/${name}.jsonl`))) {
            await client.query(`UPDATE ${quote(name)} t SET ${set} FROM json_populate_recordset(NULL::${quote(name)}, $1::json) s WHERE ${on}`, [
              `[${batch.join(",")}]`,
            ]);
          }
        }
        // Sequences continue after the restored ids.
        const { rows: serials } = await client.query<{ table_name: string; column_name: string; seq: string }>(
          `SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq
             FROM information_schema.columns WHERE table_schema = 'public' AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL`,
        );
        for (const s of serials) {
          await client.query(
            `SELECT setval($1, GREATEST(COALESCE((SELECT max(${quote(s.column_name)}) FROM ${quote(s.table_name)}), 0), 1), (SELECT count(*) > 0 FROM ${quote(s.table_name)}))`,
            [s.seq],
          );
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    } finally {
      await client.end().catch(() => {});
    }
    const newer = await migrate(options.databaseUrl, { dir: options.migrationsDir, log });
    if (newer.length) log(`Applied ${newer.length} migration(s) newer than the backup.`);
    return manifest;
  } finally {
    archive.close();
  }
}
