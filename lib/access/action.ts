// One wrapper for every server action and route handler: authenticate, validate input with
// zod, check the caller's role against the resource's workspace, run, and map errors to a
// user-facing result (internal errors become a message with an error id).
import { z } from "zod";
import { isInstanceAdmin } from "@/lib/auth/admin";
import { tokenActor } from "@/lib/auth/api-tokens";
import { requireActor } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { AppError, type ErrorCode, type FieldErrors, forbidden, HTTP_STATUS, prismaErrorCode } from "@/lib/errors";
import { logUnexpected } from "@/lib/log";
import { type Actor, type ProjectContext, requireProject, requireWorkspace, type WorkspaceContext } from "./guard";
import type { Permission } from "./permissions";

export type ActionError = { code: ErrorCode; message: string; fieldErrors?: FieldErrors; errorId?: string };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

/** How an action or route is guarded; read by the cross-tenant access matrix test. */
export type GuardMeta =
  | { scope: "public" }
  | { scope: "user" }
  | { scope: "instance" }
  | { scope: "workspace"; permission: Permission }
  | { scope: "project"; permission: Permission };

export type Guarded = { guard: GuardMeta };

function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_";
    out[key] ??= issue.message;
  }
  return out;
}

export function toActionError(error: unknown, source: string): ActionError {
  if (error instanceof AppError) return { code: error.code, message: error.message, fieldErrors: error.fieldErrors };
  if (error instanceof z.ZodError) {
    return { code: "invalid_input", message: "Please correct the highlighted fields.", fieldErrors: fieldErrorsOf(error) };
  }
  // An id that is not a UUID reached a query (the database refuses to compare it): nothing has it.
  if (prismaErrorCode(error) === "P2023" || /invalid input syntax for type uuid|Error creating UUID/i.test(String((error as Error)?.message))) {
    return { code: "not_found", message: "This item was not found." };
  }
  const errorId = logUnexpected(source, error);
  return { code: "internal", message: `Something went wrong on our side (error id ${errorId}). Please try again.`, errorId };
}

function isRedirectOrNotFound(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK"));
}

async function runAction<T>(name: string, body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (error) {
    if (isRedirectOrNotFound(error)) throw error;
    return { ok: false, error: toActionError(error, `action:${name}`) };
  }
}

type Action<I, T> = ((input: I) => Promise<ActionResult<T>>) & Guarded;

function guarded<I, T>(fn: (input: I) => Promise<ActionResult<T>>, guard: GuardMeta): Action<I, T> {
  return Object.assign(fn, { guard });
}

/** An action anyone may call (sign-up). */
export function publicAction<S extends z.ZodType, T>(name: string, schema: S, handler: (input: z.infer<S>) => Promise<T>) {
  return guarded<z.input<S>, T>((raw) => runAction(name, async () => handler(schema.parse(raw))), { scope: "public" });
}

/** An action for any signed-in user, about themselves (create a workspace, accept an invitation). */
export function userAction<S extends z.ZodType, T>(name: string, schema: S, handler: (actor: Actor, input: z.infer<S>) => Promise<T>) {
  return guarded<z.input<S>, T>(
    (raw) =>
      runAction(name, async () => {
        const actor = await requireActor();
        return handler(actor, schema.parse(raw));
      }),
    { scope: "user" },
  );
}

/** An action of the instance's administrator (users, instance-wide figures): anyone else is refused. */
export function instanceAdminAction<S extends z.ZodType, T>(name: string, schema: S, handler: (actor: Actor, input: z.infer<S>) => Promise<T>) {
  return guarded<z.input<S>, T>(
    (raw) =>
      runAction(name, async () => {
        const actor = await requireActor();
        if (!(await isInstanceAdmin(actor))) throw forbidden("Only the instance's administrator may do this.");
        return handler(actor, schema.parse(raw));
      }),
    { scope: "instance" },
  );
}

const workspaceInput = z.object({ workspaceId: z.string() });
const projectInput = z.object({ projectId: z.string() });

/** An action on a workspace: input carries `workspaceId`. */
export function workspaceAction<S extends z.ZodType<{ workspaceId: string }>, T>(
  name: string,
  permission: Permission,
  schema: S,
  handler: (ctx: WorkspaceContext, input: z.infer<S>) => Promise<T>,
) {
  return guarded<z.input<S>, T>(
    (raw) =>
      runAction(name, async () => {
        const actor = await requireActor();
        // Access is checked before the rest of the input is validated, so a stranger learns nothing.
        const { workspaceId } = workspaceInput.parse(raw);
        const ctx = await requireWorkspace(actor, { id: workspaceId }, permission);
        return handler(ctx, schema.parse(raw));
      }),
    { scope: "workspace", permission },
  );
}

/** An action on a project: input carries `projectId`; the workspace comes from the project. */
export function projectAction<S extends z.ZodType<{ projectId: string }>, T>(
  name: string,
  permission: Permission,
  schema: S,
  handler: (ctx: ProjectContext, input: z.infer<S>) => Promise<T>,
) {
  return guarded<z.input<S>, T>(
    (raw) =>
      runAction(name, async () => {
        const actor = await requireActor();
        const { projectId } = projectInput.parse(raw);
        const ctx = await requireProject(actor, projectId, permission);
        return handler(ctx, schema.parse(raw));
      }),
    { scope: "project", permission },
  );
}

// ───────────────────────────── route handlers ─────────────────────────────

type RouteParams = Record<string, string | string[]>;
type RouteHandler = ((request: Request, context: { params: Promise<RouteParams> }) => Promise<Response>) & Guarded;

export function errorResponse(error: unknown, source: string): Response {
  const body = toActionError(error, source);
  return Response.json({ error: body }, { status: HTTP_STATUS[body.code] });
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery: a state-changing request must come from this site, as Next checks
 * for server actions. Browsers send Origin (and Sec-Fetch-Site) on every cross-origin POST, form
 * or fetch; a request with neither is not a browser's, so no cookie was sent on a victim's behalf.
 */
export function assertSameOrigin(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") throw forbidden("This request came from another site and was refused.");
  const origin = request.headers.get("origin");
  if (!origin) return;
  const allowed = new Set([new URL(request.url).origin]);
  const configured = env().APP_URL;
  if (configured) allowed.add(new URL(configured).origin);
  if (!allowed.has(origin)) throw forbidden("This request came from another site and was refused.");
}

/**
 * The caller of a route: an API token when the request carries one (scripts; limited to the
 * token's workspace and role), else the session cookie. Server actions take sessions only.
 */
export async function routeActor(request: Request): Promise<Actor> {
  const authorization = request.headers.get("authorization");
  // Only our own tokens: a reverse proxy's Basic (or another Bearer) credential rides along on
  // browser requests too, and those are signed in by their session cookie.
  return authorization && /^Bearer\s+ftf_/i.test(authorization) ? tokenActor(authorization) : requireActor();
}

function route(guard: GuardMeta, body: (request: Request, params: RouteParams) => Promise<Response>, name: string): RouteHandler {
  const handler = async (request: Request, context: { params: Promise<RouteParams> }) => {
    try {
      assertSameOrigin(request);
      return await body(request, await context.params);
    } catch (error) {
      return errorResponse(error, `route:${name}`);
    }
  };
  return Object.assign(handler, { guard });
}

/** A route handler on a project named by the `projectId` path parameter. */
export function projectRoute(
  name: string,
  permission: Permission,
  handler: (ctx: ProjectContext, request: Request, params: RouteParams) => Promise<Response>,
): RouteHandler {
  return route(
    { scope: "project", permission },
    async (request, params) => {
      const actor = await routeActor(request);
      const ctx = await requireProject(actor, String(params.projectId ?? ""), permission);
      return handler(ctx, request, params);
    },
    name,
  );
}

/** A route handler on a workspace named by the `workspaceId` path parameter. */
export function workspaceRoute(
  name: string,
  permission: Permission,
  handler: (ctx: WorkspaceContext, request: Request, params: RouteParams) => Promise<Response>,
): RouteHandler {
  return route(
    { scope: "workspace", permission },
    async (request, params) => {
      const actor = await routeActor(request);
      const ctx = await requireWorkspace(actor, { id: String(params.workspaceId ?? "") }, permission);
      return handler(ctx, request, params);
    },
    name,
  );
}

/** A route about the caller alone (who am I, which workspaces): any signed-in caller or token. */
export function userRoute(name: string, handler: (actor: Actor, request: Request, params: RouteParams) => Promise<Response>): RouteHandler {
  return route({ scope: "user" }, async (request, params) => handler(await routeActor(request), request, params), name);
}

export function publicRoute(name: string, handler: (request: Request, params: RouteParams) => Promise<Response>): RouteHandler {
  return route({ scope: "public" }, handler, name);
}
