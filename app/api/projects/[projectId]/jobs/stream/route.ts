import { projectRoute } from "@/lib/access/action";
import { requireProject } from "@/lib/access/guard";
import { jobChangeHub } from "@/lib/jobs/live";
import { listProjectJobs } from "@/lib/jobs/queries";

export const dynamic = "force-dynamic";

const KEEPALIVE_MS = 15_000;

/** Server-sent events: a snapshot of the project's jobs, then each change as it happens. */
export const GET = projectRoute("streamJobs", "project.view", async (ctx, request) => {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let closed = false;
      const send = (event: string, data: unknown) => {
        if (!closed) controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      };
      const snapshot = async () => send("snapshot", await listProjectJobs(ctx));
      const unsubscribe = jobChangeHub().subscribe(ctx.projectId, {
        job: (view) => send("job", view),
        resync: () => void snapshot().catch(() => {}),
      });
      const keepalive = setInterval(async () => {
        if (closed) return;
        controller.enqueue(encoder.encode(": keepalive\n\n"));
        // Membership can end while a tab stays open: the stream ends with it.
        await requireProject(ctx.actor, ctx.projectId, "project.view").catch(() => cleanup());
      }, KEEPALIVE_MS);
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepalive);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      request.signal.addEventListener("abort", () => cleanup());
      controller.enqueue(encoder.encode("retry: 3000\n\n"));
      await snapshot();
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
});
