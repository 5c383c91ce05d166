"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

export const PROJECT_STEPS = [
  { slug: "", label: "Overview" },
  { slug: "sources", label: "Sources" },
  { slug: "dataset", label: "Dataset" },
  { slug: "train", label: "Train" },
  { slug: "evaluate", label: "Evaluate" },
  { slug: "export", label: "Export" },
  { slug: "jobs", label: "Jobs" },
  { slug: "settings", label: "Settings" },
] as const;

export function ProjectNav({ base }: { base: string }) {
  const pathname = usePathname();
  return (
    <nav className="-mb-px flex gap-1 overflow-x-auto border-b" aria-label="Project steps">
      {PROJECT_STEPS.map((step) => {
        const href = step.slug ? `${base}/${step.slug}` : base;
        const active = step.slug ? pathname === href || pathname.startsWith(`${href}/`) : pathname === base;
        return (
          <Link
            key={step.slug}
            href={href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "whitespace-nowrap border-b-2 border-transparent px-3 py-2 text-sm text-muted-foreground transition-colors hover:text-foreground",
              active && "border-primary font-medium text-foreground",
            )}
          >
            {step.label}
          </Link>
        );
      })}
    </nav>
  );
}
