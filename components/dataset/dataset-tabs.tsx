"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

const TABS = [
  { slug: "generate", label: "Generate" },
  { slug: "", label: "Review" },
  { slug: "export", label: "Export" },
];

export function DatasetTabs({ base }: { base: string }) {
  const pathname = usePathname();
  return (
    <div className="inline-flex rounded-lg bg-muted p-1" role="tablist" aria-label="Dataset">
      {TABS.map((tab) => {
        const href = tab.slug ? `${base}/${tab.slug}` : base;
        const active = pathname === href;
        return (
          <Link
            key={tab.slug}
            href={href}
            role="tab"
            aria-selected={active}
            className={cn(
              "rounded-md px-3 py-1 text-sm text-muted-foreground transition-colors",
              active && "bg-background font-medium text-foreground shadow-sm",
            )}
          >
            {tab.label}
          </Link>
        );
      })}
    </div>
  );
}
