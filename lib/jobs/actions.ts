"use server";
// Server actions for cancelling and retrying jobs.
import { z } from "zod";
import { projectAction } from "@/lib/access/action";
import { cancelJob, retryJob } from "@/lib/jobs/control";
import { findJobDefinition } from "@/worker/registry";

const jobInput = z.object({ projectId: z.string(), jobId: z.uuid() });

export const cancelJobAction = projectAction("cancelJob", "jobs.cancel", jobInput, async (ctx, input) => {
  await cancelJob(ctx, input.jobId, findJobDefinition);
});

export const retryJobAction = projectAction("retryJob", "jobs.run", jobInput, async (ctx, input) => {
  await retryJob(ctx, input.jobId, findJobDefinition);
});
