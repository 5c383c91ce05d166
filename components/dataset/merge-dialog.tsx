"use client";

import { Merge } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormError } from "@/components/ui/form";
import { NativeSelect } from "@/components/ui/select";
import { toast } from "@/components/ui/toast";
import { startDatasetMergeAction } from "@/lib/datasets/actions";
import type { MergeSources } from "@/lib/datasets/merge";

/** Adds another project's examples, or a frozen version's, leaving out what the project already has. */
export function MergeDialog({ projectId, sources }: { projectId: string; sources: MergeSources }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const action = useAction(startDatasetMergeAction);
  const empty = sources.projects.length === 0 && sources.versions.length === 0;

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const [kind, id] = String(form.get("source") ?? "").split(":");
    const result = await action.run({
      projectId,
      ...(kind === "project" ? { fromProjectId: id } : { fromVersionId: id }),
      freeze: form.get("freeze") === "on",
    });
    if (!result.ok) return;
    setOpen(false);
    toast.success("Merging: examples the project already has are left out.");
    router.refresh();
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline" data-testid="merge-dataset">
          <Merge className="size-3" /> Merge
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Merge another dataset</DialogTitle>
          <DialogDescription>
            Adds the examples of another project of this workspace, or of a frozen version, to this dataset. Examples whose text this project already has are
            left out; the added ones keep their split, review state, tags and rating, and name where they came from.
          </DialogDescription>
        </DialogHeader>
        {empty ? (
          <p className="text-sm text-muted-foreground">No other project of this task type and no frozen version yet.</p>
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            <FormError message={action.error && !action.error.fieldErrors ? action.error.message : undefined} />
            <Field label="From" htmlFor="merge-source">
              <NativeSelect
                id="merge-source"
                name="source"
                defaultValue={sources.projects[0] ? `project:${sources.projects[0].id}` : `version:${sources.versions[0]?.id}`}
              >
                {sources.projects.length > 0 && (
                  <optgroup label="Projects (their current examples)">
                    {sources.projects.map((p) => (
                      <option key={p.id} value={`project:${p.id}`}>
                        {p.name} ({p.examples.toLocaleString()} examples)
                      </option>
                    ))}
                  </optgroup>
                )}
                {sources.versions.length > 0 && (
                  <optgroup label="Frozen versions">
                    {sources.versions.map((v) => (
                      <option key={v.id} value={`version:${v.id}`}>
                        {v.label} ({v.examples.toLocaleString()} examples)
                      </option>
                    ))}
                  </optgroup>
                )}
              </NativeSelect>
            </Field>
            <div className="flex items-center gap-2 text-sm">
              <Checkbox id="merge-freeze" name="freeze" defaultChecked aria-label="Freeze a new version afterwards" />
              <label htmlFor="merge-freeze">Freeze a new version afterwards</label>
            </div>
            <DialogFooter>
              <Button type="submit" disabled={action.pending} data-testid="start-merge">
                {action.pending ? "Starting…" : "Merge"}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
