"use client";

import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { renameWorkspaceAction } from "@/lib/workspaces/actions";

export function RenameWorkspaceForm({ workspaceId, name, canEdit }: { workspaceId: string; name: string; canEdit: boolean }) {
  const router = useRouter();
  const { run, pending, error, fieldErrors } = useAction(renameWorkspaceAction);
  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("name") ?? "");
    await run({ workspaceId, name: value }, () => {
      toast.success("Workspace renamed.");
      router.refresh();
    });
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-start gap-3" noValidate>
      <div className="min-w-64 flex-1">
        <Field label="Name" htmlFor="workspace-rename" error={fieldErrors.name}>
          <Input id="workspace-rename" name="name" defaultValue={name} disabled={!canEdit} />
        </Field>
      </div>
      {canEdit && (
        <Button type="submit" disabled={pending} className="mt-6">
          {pending ? "Saving…" : "Save"}
        </Button>
      )}
      <FormError message={error && !error.fieldErrors ? error.message : undefined} />
    </form>
  );
}
