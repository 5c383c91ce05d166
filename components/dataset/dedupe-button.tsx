"use client";

import { CopyMinus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import { deleteExamplesAction } from "@/lib/datasets/actions";
import { ConfirmDeleteDialog } from "./confirm-delete-dialog";

/**
 * Deduplicates in one step: deletes every example marked as a duplicate, which leaves the first
 * of each group of identical examples (the one not marked). The count is confirmed, and the
 * delete is refused if more have become duplicates meanwhile.
 */
export function DedupeButton({ projectId, duplicates }: { projectId: string; duplicates: number }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const remove = useAction(deleteExamplesAction);
  if (duplicates === 0) return null;
  const plural = `${duplicates.toLocaleString("en-US")} duplicate${duplicates === 1 ? "" : "s"}`;
  return (
    <>
      <Button size="sm" variant="outline" onClick={() => setOpen(true)}>
        <CopyMinus className="size-3" /> Remove duplicates
      </Button>
      <ConfirmDeleteDialog
        open={open}
        onOpenChange={setOpen}
        what={plural}
        description={`One example of each group of identical ones stays; the ${plural} of it are deleted for good.`}
        error={remove.error?.message}
        pending={remove.pending}
        testId="dedupe-confirm"
        onConfirm={() =>
          remove.run({ projectId, target: { filter: { duplicate: true } }, expectedCount: duplicates }, (r) => {
            setOpen(false);
            toast.success(`${r.count.toLocaleString("en-US")} duplicates deleted.`);
            router.refresh();
          })
        }
      />
    </>
  );
}
