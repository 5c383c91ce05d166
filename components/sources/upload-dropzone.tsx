"use client";

import { CheckCircle2, FileUp, XCircle } from "lucide-react";
import { useRouter } from "next/navigation";
import { useCallback, useRef, useState } from "react";
import { cn } from "@/components/ui/cn";
import { formatBytes } from "@/components/ui/format-bytes";
import { Progress } from "@/components/ui/progress";
import { abortDirectUploadAction, completeDirectUploadAction, startDirectUploadAction } from "@/lib/sources/actions";

type Upload = { key: string; name: string; size: number; pct: number; state: "uploading" | "done" | "failed" | "duplicate"; message?: string };

function send(projectId: string, file: File, onProgress: (pct: number) => void): Promise<{ ok: boolean; status: number; body: unknown }> {
  // XMLHttpRequest, not fetch: it reports upload progress.
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/projects/${projectId}/files?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ ok: false, status: 0, body: null });
    xhr.send(file);
  });
}

/** PUTs a body to a presigned bucket URL with progress; resolves with the ETag S3 answers. */
function put(url: string, body: Blob, onLoaded: (bytes: number) => void): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.upload.onprogress = (e) => onLoaded(e.loaded);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve(xhr.getResponseHeader("ETag"))
        : reject(new Error(`The storage service refused the upload (HTTP ${xhr.status}).`));
    xhr.onerror = () =>
      reject(new Error("The browser could not reach the storage bucket. Try again; if it keeps failing, its CORS rules must allow PUT from this site."));
    xhr.send(body);
  });
}

/**
 * With S3 storage the file goes straight to the bucket (one presigned PUT, or 16 MB parts three at
 * a time), never through the web server; the server then checks it (lib/sources/direct-upload).
 */
async function sendDirect(projectId: string, file: File, onProgress: (pct: number) => void): Promise<{ ok: boolean; message?: string }> {
  const started = await startDirectUploadAction({ projectId, filename: file.name, size: file.size });
  if (!started.ok) return { ok: false, message: started.error.message };
  const plan = started.data;
  try {
    let parts: Array<{ partNumber: number; etag: string }> | undefined;
    if (plan.mode === "single") {
      await put(plan.url, file, (loaded) => onProgress(Math.round((loaded / file.size) * 100)));
    } else {
      const loaded = new Map<number, number>();
      const report = () => onProgress(Math.round(([...loaded.values()].reduce((a, b) => a + b, 0) / file.size) * 100));
      const offsets = new Map<number, number>();
      let offset = 0;
      for (const part of plan.parts) {
        offsets.set(part.partNumber, offset);
        offset += part.size;
      }
      const queue = [...plan.parts];
      const done: Array<{ partNumber: number; etag: string }> = [];
      parts = done;
      await Promise.all(
        Array.from({ length: Math.min(3, queue.length) }, async () => {
          for (let part = queue.shift(); part; part = queue.shift()) {
            const from = offsets.get(part.partNumber) ?? 0;
            const number = part.partNumber;
            const etag = await put(part.url, file.slice(from, from + part.size), (bytes) => {
              loaded.set(number, bytes);
              report();
            });
            if (!etag) throw new Error("The storage bucket hides the ETag header from browsers: add ETag to its CORS ExposeHeaders.");
            done.push({ partNumber: number, etag });
          }
        }),
      );
    }
    const done = await completeDirectUploadAction({ projectId, fileId: plan.fileId, parts });
    return done.ok ? { ok: true } : { ok: false, message: done.error.message };
  } catch (error) {
    await abortDirectUploadAction({ projectId, fileId: plan.fileId }).catch(() => {});
    return { ok: false, message: error instanceof Error ? error.message : "The upload failed. Try again." };
  }
}

/** Drag-and-drop of many files, each with its own progress bar and outcome. */
export function UploadDropzone({ projectId, maxBytes, direct = false }: { projectId: string; maxBytes: number; direct?: boolean }) {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [uploads, setUploads] = useState<Upload[]>([]);

  const update = (key: string, patch: Partial<Upload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...patch } : u)));

  // biome-ignore lint/correctness/useExhaustiveDependencies: the upload helpers are recreated each render but read only refs and setters
  const start = useCallback(
    async (files: FileList | File[]) => {
      const list = Array.from(files);
      const entries = list.map((f) => ({ key: `${f.name}-${f.size}-${Math.random()}`, name: f.name, size: f.size, pct: 0, state: "uploading" as const }));
      setUploads((all) => [...entries, ...all].slice(0, 50));
      await Promise.all(
        list.map(async (file, i) => {
          const key = entries[i].key;
          if (file.size > maxBytes) {
            update(key, { state: "failed", message: `Larger than the ${formatBytes(maxBytes)} limit.` });
            return;
          }
          if (direct) {
            const sent = await sendDirect(projectId, file, (pct) => update(key, { pct }));
            update(key, sent.ok ? { state: "done", pct: 100, message: "Sent straight to storage." } : { state: "failed", message: sent.message });
            router.refresh();
            return;
          }
          const result = await send(projectId, file, (pct) => update(key, { pct }));
          const body = result.body as { duplicateOf?: string | null; error?: { message?: string } } | null;
          if (result.ok)
            update(key, {
              state: body?.duplicateOf ? "duplicate" : "done",
              pct: 100,
              message: body?.duplicateOf ? "Already in this project: kept once." : undefined,
            });
          else
            update(key, {
              state: "failed",
              message: body?.error?.message ?? (result.status === 0 ? "The connection broke off. Try again." : `Upload failed (${result.status}).`),
            });
          router.refresh();
        }),
      );
    },
    [maxBytes, projectId, router, direct],
  );

  return (
    <div className="space-y-3">
      <button
        type="button"
        onClick={() => input.current?.click()}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (e.dataTransfer.files.length) void start(e.dataTransfer.files);
        }}
        className={cn(
          "flex w-full flex-col items-center justify-center gap-2 rounded-xl border-2 border-dashed p-8 text-center transition-colors",
          dragging ? "border-primary bg-primary/5" : "border-muted-foreground/25 hover:border-primary/50",
        )}
        data-testid="dropzone"
      >
        <FileUp className="size-8 text-muted-foreground" />
        <span className="font-medium">Drop files here or click to choose</span>
        <span className="text-sm text-muted-foreground">
          Documents: PDF, Word (.docx), text, Markdown, HTML, scans (PNG, JPEG, TIFF: read by OCR), a ZIP of Markdown (a book or docs folder). Datasets: JSONL,
          JSON, CSV, Parquet (Alpaca, ShareGPT, OpenAI messages, Q&amp;A). Up to {formatBytes(maxBytes)} each.
        </span>
      </button>
      <input
        ref={input}
        type="file"
        multiple
        className="hidden"
        data-testid="file-input"
        onChange={(e) => {
          if (e.target.files?.length) void start(e.target.files);
          e.target.value = "";
        }}
      />
      {uploads.length > 0 && (
        <ul className="space-y-2" aria-label="Uploads">
          {uploads.map((u) => (
            <li key={u.key} className="rounded-lg border p-2 text-sm" data-testid={`upload-${u.name}`} data-state={u.state}>
              <div className="flex items-center gap-2">
                {u.state === "done" || u.state === "duplicate" ? (
                  <CheckCircle2 className="size-4 text-success" />
                ) : u.state === "failed" ? (
                  <XCircle className="size-4 text-destructive" />
                ) : (
                  <FileUp className="size-4 text-muted-foreground" />
                )}
                <span className="min-w-0 flex-1 truncate font-medium">{u.name}</span>
                <span className="text-xs text-muted-foreground">{formatBytes(u.size)}</span>
              </div>
              {u.state === "uploading" && <Progress value={u.pct} className="mt-2 h-1.5" aria-label={`Uploading ${u.name}`} />}
              {u.message && <p className={cn("mt-1 text-xs", u.state === "failed" ? "text-destructive" : "text-muted-foreground")}>{u.message}</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
