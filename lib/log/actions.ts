"use server";
// Server actions for the log viewer (workspace owners and admins; every line for the instance's administrator).
import { z } from "zod";
import { workspaceAction } from "@/lib/access/action";
import { logFilterSchema, queryLogs, tailLogs } from "./viewer";

const base = z.object({ workspaceId: z.string(), filter: logFilterSchema });

export const queryLogsAction = workspaceAction("queryLogs", "audit.view", base.extend({ before: z.string().regex(/^\d+$/).optional() }), async (ctx, input) =>
  queryLogs(ctx, input.filter, input.before),
);

export const tailLogsAction = workspaceAction("tailLogs", "audit.view", base.extend({ after: z.string().regex(/^\d+$/) }), async (ctx, input) =>
  tailLogs(ctx, input.filter, input.after),
);
