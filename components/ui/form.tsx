import { CircleAlertIcon } from "lucide-react";
import * as React from "react";

import { cn } from "@/components/ui/cn";
import { Label } from "@/components/ui/label";

type ControlAriaProps = {
  "aria-invalid"?: React.AriaAttributes["aria-invalid"];
  "aria-describedby"?: string;
};

function Field({
  label,
  htmlFor,
  error,
  hint,
  className,
  children,
}: {
  label: React.ReactNode;
  htmlFor: string;
  error?: string;
  hint?: React.ReactNode;
  className?: string;
  children: React.ReactNode;
}) {
  const hintId = hint ? `${htmlFor}-hint` : undefined;
  const errorId = error ? `${htmlFor}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;

  // Wire the single control to its hint/error so screen readers announce them,
  // without making every caller repeat the ids.
  let control = children;
  if (React.isValidElement<ControlAriaProps>(children)) {
    const own = children.props;
    control = React.cloneElement(children, {
      "aria-invalid": own["aria-invalid"] ?? (error ? true : undefined),
      "aria-describedby": [own["aria-describedby"], describedBy].filter(Boolean).join(" ") || undefined,
    });
  }

  return (
    <div data-slot="field" data-invalid={error ? true : undefined} className={cn("grid gap-2", className)}>
      <Label htmlFor={htmlFor} className={cn(error && "text-destructive")}>
        {label}
      </Label>
      {control}
      {hint ? (
        <p id={hintId} data-slot="field-hint" className="text-sm text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} role="alert" data-slot="field-error" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function FormError({ message, className }: { message?: string; className?: string }) {
  if (!message) return null;
  return (
    <div
      role="alert"
      data-slot="form-error"
      className={cn("flex items-start gap-2 rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive", className)}
    >
      <CircleAlertIcon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      <p>{message}</p>
    </div>
  );
}

export { Field, FormError };
