"use client";

import { Progress as ProgressPrimitive } from "radix-ui";
import type * as React from "react";

import { cn } from "@/components/ui/cn";

function Progress({
  className,
  value,
  indeterminate = false,
  ...props
}: Omit<React.ComponentProps<typeof ProgressPrimitive.Root>, "max"> & {
  indeterminate?: boolean;
}) {
  const clamped = Math.min(100, Math.max(0, value ?? 0));

  return (
    <ProgressPrimitive.Root
      data-slot="progress"
      className={cn("relative h-2 w-full overflow-hidden rounded-full bg-primary/20", className)}
      // Radix treats a null value as indeterminate (data-state + no aria-valuenow).
      value={indeterminate ? null : clamped}
      max={100}
      {...props}
    >
      {indeterminate ? (
        <ProgressPrimitive.Indicator
          data-slot="progress-indicator"
          className="h-full w-2/5 rounded-full bg-primary animate-progress-indeterminate motion-reduce:w-full motion-reduce:animate-pulse"
        />
      ) : (
        <ProgressPrimitive.Indicator
          data-slot="progress-indicator"
          className="h-full w-full flex-1 bg-primary transition-transform duration-300"
          style={{ transform: `translateX(-${100 - clamped}%)` }}
        />
      )}
    </ProgressPrimitive.Root>
  );
}

export { Progress };
