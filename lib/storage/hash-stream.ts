// Both drivers pass the body through this, so size, sha256 and the size limit are computed the
// same way whether the bytes end up on disk or in a bucket.
import crypto from "node:crypto";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { type PutResult, StorageLimitError } from "./types";

export class HashStream extends Transform {
  private readonly hash = crypto.createHash("sha256");
  private bytes = 0;
  private digest: string | undefined;

  constructor(private readonly maxBytes?: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    // Checked before passing the chunk on, so no byte past the limit reaches the destination.
    if (this.maxBytes !== undefined && this.bytes > this.maxBytes) {
      callback(new StorageLimitError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest("hex");
    callback();
  }

  /** Only valid once the stream has ended. */
  result(): PutResult {
    if (this.digest === undefined) throw new Error("HashStream.result() called before the stream ended.");
    return { size: this.bytes, sha256: this.digest };
  }
}

export function toReadable(body: Readable | Buffer): Readable {
  return Buffer.isBuffer(body) ? Readable.from([body]) : body;
}
