// Objects in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO). Uploads are multipart and
// streamed, so memory stays bounded by queueSize × partSize whatever the object's size.

import { pipeline, Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { logger } from "@/lib/log";
import { HashStream, toReadable } from "./hash-stream";
import { assertSafeKey } from "./keys";
import { assertRange } from "./range";
import { type DirectTransfer, type StorageDriver, StorageNotFoundError } from "./types";

export type S3Settings = {
  bucket: string;
  region: string;
  /** For R2, MinIO and other S3-compatible services; unset for AWS. */
  endpoint?: string;
  /** The address browsers use for presigned links, when not `endpoint`. */
  publicEndpoint?: string;
  /** Both unset: the AWS SDK's default credential chain (environment, instance role, …). */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
};

const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;

type SdkError = { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };

function errorName(error: unknown): string | undefined {
  return (error as SdkError | null)?.name;
}

function httpStatus(error: unknown): number | undefined {
  return (error as SdkError | null)?.$metadata?.httpStatusCode;
}

/** Turns an SDK failure into a sentence that says which setting to look at. */
function explain(error: unknown, settings: S3Settings, action: string): Error {
  const service = settings.endpoint ? `the S3 service at ${settings.endpoint}` : `AWS S3 (${settings.region})`;
  const e = (error ?? {}) as SdkError;
  const code = e.code ?? e.name ?? "";
  let message: string;
  switch (e.name) {
    case "NoSuchBucket":
      message = `The bucket "${settings.bucket}" does not exist on ${service}. Create it, or set S3_BUCKET to an existing bucket.`;
      break;
    case "InvalidAccessKeyId":
    case "SignatureDoesNotMatch":
    case "InvalidToken":
    case "ExpiredToken":
      message = `${service} refused the credentials (${e.name}). Check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY.`;
      break;
    case "CredentialsProviderError":
      message = "No S3 credentials were found. Set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY.";
      break;
    case "PermanentRedirect":
    case "AuthorizationHeaderMalformed":
      message = `The bucket "${settings.bucket}" is in another region than "${settings.region}". Set S3_REGION to the bucket's region.`;
      break;
    default:
      if (e.name === "AccessDenied" || httpStatus(error) === 403) {
        message = `${service} denied access to ${action} in bucket "${settings.bucket}". Give the access key read, write, list and delete permission on the bucket.`;
      } else if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|TimeoutError)$/.test(code)) {
        message = `Could not reach ${service} (${code}). Check S3_ENDPOINT and that the service is running.`;
      } else {
        message = `${service} failed to ${action}: ${e.message ?? String(error)}`;
      }
  }
  return new Error(message, { cause: error });
}

function s3Client(settings: S3Settings, endpoint: string | undefined): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials:
      settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
    // The SDK's default CRC32 checksums on every request are not supported by every
    // S3-compatible service, and we verify content with our own sha256 anyway.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

export function createS3Driver(settings: S3Settings): StorageDriver {
  const client = s3Client(settings, settings.endpoint);
  // Presigning is local computation: a client for the browsers' address of the bucket.
  const signer = settings.publicEndpoint ? s3Client(settings, settings.publicEndpoint) : client;
  const Bucket = settings.bucket;
  const log = logger("storage");

  async function abortUpload(Key: string, UploadId: string): Promise<void> {
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    } catch (error) {
      // The parts are invisible (no object exists) but still billed; a lifecycle rule removes them.
      log.warn("Could not abort a failed multipart upload; its parts stay until the bucket's lifecycle rule removes them", {
        key: Key,
        uploadId: UploadId,
        error: (error as Error).message,
      });
    }
  }

  const direct: DirectTransfer = {
    presignPut: (key, { size, expiresInSeconds }) => {
      assertSafeKey(key);
      return getSignedUrl(signer, new PutObjectCommand({ Bucket, Key: key, ContentLength: size }), {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(["content-length"]),
      });
    },
    async startMultipart(key) {
      assertSafeKey(key);
      const started = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key })).catch((error: unknown) => {
        throw explain(error, settings, `start an upload to ${key}`);
      });
      if (!started.UploadId) throw new Error(`The S3 service started no upload for ${key}.`);
      return started.UploadId;
    },
    presignPart: (key, UploadId, PartNumber, { size, expiresInSeconds }) => {
      assertSafeKey(key);
      return getSignedUrl(signer, new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber, ContentLength: size }), {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(["content-length"]),
      });
    },
    async completeMultipart(key, UploadId, parts) {
      assertSafeKey(key);
      const Parts = [...parts].sort((a, b) => a.partNumber - b.partNumber).map((p) => ({ PartNumber: p.partNumber, ETag: p.etag }));
      await client.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts } })).catch((error: unknown) => {
        throw explain(error, settings, `finish the upload to ${key}`);
      });
    },
    abortMultipart: (key, uploadId) => abortUpload(key, uploadId),
    presignGet: (key, { filename, contentType, expiresInSeconds }) => {
      assertSafeKey(key);
      const disposition = `attachment; filename="${filename.replace(/["\\]/g, "")}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
      return getSignedUrl(
        signer,
        new GetObjectCommand({
          Bucket,
          Key: key,
          ResponseContentDisposition: disposition,
          ResponseContentType: contentType,
          ResponseCacheControl: "private, no-store",
        }),
        { expiresIn: expiresInSeconds },
      );
    },
  };

  return {
    name: "s3",
    direct,

    async put(key, body, options = {}) {
      assertSafeKey(key);
      const hasher = new HashStream(options.maxBytes);
      // Only an error from the body itself (over the limit, client went away) reaches this.
      let bodyError: unknown;
      hasher.on("error", (error) => (bodyError ??= error));
      pipeline(toReadable(body), hasher, () => {});
      const upload = new Upload({
        client,
        queueSize: QUEUE_SIZE,
        partSize: PART_SIZE,
        // We abort ourselves, so that the caller sees the original failure even if the abort fails too.
        leavePartsOnError: true,
        params: { Bucket, Key: key, Body: hasher, ContentType: options.contentType },
      });
      try {
        await upload.done();
      } catch (error) {
        hasher.destroy();
        if (upload.uploadId) await abortUpload(key, upload.uploadId);
        throw bodyError ?? explain(error, settings, `store ${key}`);
      }
      return hasher.result();
    },

    async get(key, range) {
      assertSafeKey(key);
      assertRange(range);
      const Range = range ? `bytes=${range.start}-${range.end ?? ""}` : undefined;
      try {
        const { Body } = await client.send(new GetObjectCommand({ Bucket, Key: key, Range }));
        if (!(Body instanceof Readable)) throw new Error(`${key} came back without a readable body.`);
        return Body;
      } catch (error) {
        if (errorName(error) === "NoSuchKey") throw new StorageNotFoundError(key);
        // Same as the local driver: a range that starts past the end is empty, not an error.
        if (errorName(error) === "InvalidRange") return Readable.from([]);
        throw explain(error, settings, `read ${key}`);
      }
    },

    async stat(key) {
      assertSafeKey(key);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0) };
      } catch (error) {
        // HEAD responses have no body, so a missing bucket also looks like a missing key here.
        if (httpStatus(error) === 404) return null;
        throw explain(error, settings, `check ${key}`);
      }
    },

    async delete(key) {
      assertSafeKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (error) {
        throw explain(error, settings, `delete ${key}`);
      }
    },

    async deletePrefix(prefix) {
      assertSafeKey(prefix, { allowTrailingSlash: true });
      const fail = (error: unknown): never => {
        throw explain(error, settings, `delete ${prefix}`);
      };
      let ContinuationToken: string | undefined;
      do {
        // A listing page holds at most 1000 keys, which is also DeleteObjects' limit.
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken })).catch(fail);
        const Objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (Objects.length > 0) {
          const result = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } })).catch(fail);
          const failed = result.Errors ?? [];
          if (failed.length > 0) {
            throw new Error(`S3 did not delete ${failed.length} object(s) under ${prefix}, e.g. ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message}`);
          }
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },

    async *list(prefix) {
      assertSafeKey(prefix, { allowTrailingSlash: true });
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken })).catch((error: unknown) => {
          throw explain(error, settings, `list ${prefix}`);
        });
        for (const o of page.Contents ?? []) if (o.Key) yield { key: o.Key, size: o.Size ?? 0 };
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}
