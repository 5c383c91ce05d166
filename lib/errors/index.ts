// Typed errors. Users see `message` (and an error id for internal failures); logs get the rest.
export type ErrorCode = "invalid_input" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "rate_limited" | "unavailable" | "internal";

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fieldErrors?: FieldErrors;

  constructor(code: ErrorCode, message: string, options: { fieldErrors?: FieldErrors; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.fieldErrors = options.fieldErrors;
  }
}

export const notFound = (what = "This item") => new AppError("not_found", `${what} was not found.`);
export const forbidden = (message = "Your role does not allow this.") => new AppError("forbidden", message);
export const unauthorized = (message = "Please sign in.") => new AppError("unauthorized", message);
export const invalidInput = (message: string, fieldErrors?: FieldErrors) => new AppError("invalid_input", message, { fieldErrors });
export const conflict = (message: string, fieldErrors?: FieldErrors) => new AppError("conflict", message, { fieldErrors });

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Prisma's "record not found" / unique violation, recognised without importing Prisma here. */
export function prismaErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^P\d{4}$/.test(code) ? code : undefined;
}
