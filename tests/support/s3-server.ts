// A real S3 API (s3rver) on 127.0.0.1, so the S3 driver is tested over HTTP without any cloud account.
// It runs in a child process: s3rver signs listing continuation tokens with DES, which Node's
// OpenSSL 3 only offers with --openssl-legacy-provider; and the test process's RSS then measures
// the driver alone, not the server too.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

export type S3TestServer = {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
};

// Prints the port once listening; exits when its stdin closes, so it never outlives the test process.
const SERVER_SCRIPT = `
const [modulePath, directory, bucket, cors] = process.argv.slice(1);
const S3rver = require(modulePath);
new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: [{ name: bucket, configs: cors ? [cors] : [] }] })
  .run()
  .then(({ port }) => process.stdout.write(JSON.stringify({ port }) + "\\n"), (error) => { console.error(error); process.exit(1); });
process.stdin.on("close", () => process.exit(0)).resume();
`;

/**
 * The CORS rules a bucket needs for browser uploads (README, Deploy): PUT and GET from the app's
 * origin, with ETag readable (multipart uploads send it back).
 */
export const BROWSER_UPLOAD_CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

export async function startS3Server(bucket = "ftf-test", options: { cors?: string } = {}): Promise<S3TestServer> {
  const modulePath = createRequire(import.meta.url).resolve("s3rver");
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-test-s3-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", "-e", SERVER_SCRIPT, modulePath, directory, bucket, options.cors ?? ""], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));

  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (data: Buffer) => {
      stdout += data.toString();
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n")) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`s3rver exited (code ${code}) before listening:\n${stderr}`)));
  });

  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    // The only credentials s3rver accepts; it checks request signatures against them.
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    async stop() {
      child.stdin.end();
      await exited;
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
