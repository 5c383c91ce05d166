"use client";

import { Layers } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { toast } from "@/components/ui/toast";
import { findNearDuplicatesAction, keepOneNearDuplicateAction } from "@/lib/datasets/actions";
import { ConfirmDeleteDialog } from "./confirm-delete-dialog";

/** "Find near-duplicates" now, and "keep one per group" (confirmed with its count). */
export function NearDupTools({ projectId, extra }: { projectId: string; extra: number }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const find = useAction(findNearDuplicatesAction);
  const keep = useAction(keepOneNearDuplicateAction);
  const plural = `${extra.toLocaleString("en-US")} near-duplicate${extra === 1 ? "" : "s"}`;
  return (
    <>
      <Button
        size="sm"
        variant="outline"
        disabled={find.pending}
        title="Groups examples that say nearly the same thing (the project's near-duplicate similarity)"
        onClick={() =>
          find.run({ projectId }, (r) => {
            toast.success(
              r.groups
                ? `${r.groups.toLocaleString("en-US")} groups of near-duplicates (${(r.inGroups - r.groups).toLocaleString("en-US")} beyond the first of each).`
                : "No near-duplicates.",
            );
            router.refresh();
          })
        }
      >
        <Layers className="size-3" /> {find.pending ? "Looking…" : "Find near-duplicates"}
      </Button>
      {extra > 0 && (
        <Button size="sm" variant="outline" onClick={() => setOpen(true)}>
          Keep one per group
        </Button>
      )}
      <FormError message={find.error?.message} />
      <ConfirmDeleteDialog
        open={open}
        onOpenChange={setOpen}
        what={plural}
        description="The first (oldest) example of each group of near-duplicates stays; the others are deleted for good. Filter by “Near-duplicates” to read the groups first."
        error={keep.error?.message}
        pending={keep.pending}
        testId="near-dup-confirm"
        onConfirm={() =>
          keep.run({ projectId, expectedCount: extra }, (r) => {
            setOpen(false);
            toast.success(`${r.count.toLocaleString("en-US")} near-duplicates deleted.`);
            router.refresh();
          })
        }
      />
    </>
  );
}
