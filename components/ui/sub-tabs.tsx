"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

export type SubTab = { slug: string; label: string };

/** A step's sub-pages as tabs; a tab stays active on the pages below it ("test-sets/…"), the base tab only on itself. */
export function SubTabs({ base, tabs, label }: { base: string; tabs: readonly SubTab[]; label: string }) {
  const pathname = usePathname();
  return (
    <div className="inline-flex rounded-lg bg-muted p-1" role="tablist" aria-label={label}>
      {tabs.map((tab) => {
        const href = tab.slug ? `${base}/${tab.slug}` : base;
        const active = tab.slug ? pathname === href || pathname.startsWith(`${href}/`) : pathname === href;
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
