import { CircleAlertIcon } from "lucide-react";
import { cn } from "@/components/ui/cn";

/**
 * A failure where it happened: the one-line cause, and the log behind it (pip's output, a
 * stderr tail) folded away under "Show details", scrolling inside its box on any screen.
 */
export function Failure({ message, detail, className }: { message: string; detail?: string | null; className?: string }) {
  return (
    <div
      role="alert"
      data-testid="failure"
      className={cn("rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive", className)}
    >
      <p className="flex items-start gap-2 break-words" data-testid="failure-cause">
        <CircleAlertIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
        <span className="min-w-0">{message}</span>
      </p>
      {detail && (
        <details className="mt-2 text-foreground">
          <summary className="cursor-pointer text-xs font-medium text-destructive">Show details</summary>
          <pre
            className="mt-2 max-h-80 overflow-auto whitespace-pre-wrap break-all rounded border bg-background p-2 font-mono text-xs"
            data-testid="failure-detail"
          >
            {detail}
          </pre>
        </details>
      )}
    </div>
  );
}
