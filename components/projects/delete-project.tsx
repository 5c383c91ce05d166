"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { toast } from "@/components/ui/toast";
import { deleteProjectAction } from "@/lib/projects/actions";

export function DeleteProject({ projectId, name }: { projectId: string; name: string }) {
  const router = useRouter();
  const { run, pending, error } = useAction(deleteProjectAction);
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-destructive/30 p-4">
      <div>
        <div className="font-medium">Delete this project</div>
        <p className="text-sm text-muted-foreground">Its sources, dataset, runs and exports are deleted for everyone.</p>
        <FormError message={error?.message} />
      </div>
      <ConfirmButton
        title={`Delete “${name}”?`}
        description="This cannot be undone. Sources, chunks, examples, runs, artifacts and exports of this project are deleted, and its runs’ folders on your GPU boxes are removed. Cancel running jobs first."
        confirmLabel="Delete project"
        onConfirm={() =>
          run({ projectId }, (data) => {
            toast.success("Project deleted.");
            router.replace(data.href);
            router.refresh();
          })
        }
      >
        <Button variant="destructive" disabled={pending}>
          Delete project
        </Button>
      </ConfirmButton>
    </div>
  );
}
