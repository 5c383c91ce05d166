"use client";

import { useCallback, useState, useTransition } from "react";
import type { ActionError, ActionResult } from "@/lib/access/action";

/** Calls a server action, keeping its pending state and its error (with field errors). */
export function useAction<I, T>(action: (input: I) => Promise<ActionResult<T>>) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<ActionError | null>(null);

  const run = useCallback(
    (input: I, onSuccess?: (data: T) => void) =>
      new Promise<ActionResult<T>>((resolve) => {
        startTransition(async () => {
          let result: ActionResult<T>;
          try {
            result = await action(input);
          } catch {
            result = { ok: false, error: { code: "unavailable", message: "The server could not be reached. Check your connection and try again." } };
          }
          setError(result.ok ? null : result.error);
          if (result.ok) onSuccess?.(result.data);
          resolve(result);
        });
      }),
    [action],
  );

  return { run, pending, error, fieldErrors: error?.fieldErrors ?? {}, reset: () => setError(null) };
}
