"use client";

import { CopyMinus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { toast } from "@/components/ui/toast";
import { deleteExamplesAction } from "@/lib/datasets/actions";

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
      <AlertDialog open={open} onOpenChange={setOpen}>
        <AlertDialogContent data-testid="dedupe-confirm">
          <AlertDialogHeader>
            <AlertDialogTitle>Delete {plural}?</AlertDialogTitle>
            <AlertDialogDescription>One example of each group of identical ones stays; the {plural} of it are deleted for good.</AlertDialogDescription>
          </AlertDialogHeader>
          <FormError message={remove.error?.message} />
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <Button
              variant="destructive"
              disabled={remove.pending}
              onClick={() =>
                remove.run({ projectId, target: { filter: { duplicate: true } }, expectedCount: duplicates }, (r) => {
                  setOpen(false);
                  toast.success(`${r.count.toLocaleString("en-US")} duplicates deleted.`);
                  router.refresh();
                })
              }
            >
              Delete {plural}
            </Button>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}
