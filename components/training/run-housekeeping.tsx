"use client";

import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDeleteDialog } from "@/components/dataset/confirm-delete-dialog";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { deleteRunAction, updateRunNotesAction } from "@/lib/training/actions";

/** A run's description and tags, saved together. */
export function RunNotes({
  projectId,
  runId,
  description,
  tags,
  canEdit,
}: {
  projectId: string;
  runId: string;
  description: string | null;
  tags: string[];
  canEdit: boolean;
}) {
  const router = useRouter();
  const save = useAction(updateRunNotesAction);
  return (
    <form
      // Remounted when the saved notes come back (normalised tags show as stored).
      key={`${description ?? ""}|${tags.join(",")}`}
      className="space-y-2"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        void save.run(
          {
            projectId,
            runId,
            description: String(data.get("description") ?? "") || null,
            tags: String(data.get("tags") ?? "")
              .split(",")
              .map((t) => t.trim())
              .filter(Boolean),
          },
          () => {
            toast.success("Saved.");
            router.refresh();
          },
        );
      }}
    >
      <FormError message={save.error?.message} />
      <div className="grid gap-3 md:grid-cols-[2fr_1fr_auto] md:items-end">
        <Field label="Description" htmlFor="run-description">
          <Textarea id="run-description" name="description" rows={2} defaultValue={description ?? ""} disabled={!canEdit} placeholder="What this run tries" />
        </Field>
        <Field label="Tags" htmlFor="run-tags" hint="Comma-separated." error={save.fieldErrors.tags}>
          <Input id="run-tags" name="tags" defaultValue={tags.join(", ")} disabled={!canEdit} placeholder="baseline, lr-sweep" />
        </Field>
        {canEdit && (
          <Button type="submit" variant="outline" disabled={save.pending}>
            Save
          </Button>
        )}
      </div>
    </form>
  );
}

/** Deletes the run and everything it made, after its name is typed; then back to the run list. */
export function DeleteRun({
  projectId,
  runId,
  name,
  files,
  sizeLabel,
  listHref,
}: {
  projectId: string;
  runId: string;
  name: string;
  files: number;
  sizeLabel: string;
  listHref: string;
}) {
  const router = useRouter();
  const remove = useAction(deleteRunAction);
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  return (
    <>
      <Button variant="outline" className="text-destructive" onClick={() => setOpen(true)} data-testid="delete-run">
        <Trash2 className="size-4" /> Delete run
      </Button>
      <ConfirmDeleteDialog
        open={open}
        onOpenChange={setOpen}
        what={`run ${name}`}
        testId="delete-run-dialog"
        pending={remove.pending || typed !== name}
        error={remove.error?.message}
        description={
          <span className="block space-y-2">
            <span className="block">
              Its {files} files ({sizeLabel}: adapter, checkpoints, logs and exports), curves, evaluation and test-set answers are deleted from storage and
              cannot be brought back, and its folder on the GPU box is removed. The dataset version it trained on stays.
            </span>
            <Input aria-label="Type the run's name" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={name} />
          </span>
        }
        onConfirm={() =>
          void remove.run({ projectId, runId, confirmName: typed }, (result) => {
            toast.success(
              `Deleted; ${(result.freedBytes / 1024 / 1024).toFixed(1)} MB freed.${result.remoteCleanup ? " Its folder on the GPU box is being removed (see Jobs)." : ""}`,
            );
            router.push(listHref);
          })
        }
      />
    </>
  );
}
