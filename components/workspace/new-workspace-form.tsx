"use client";

import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { createWorkspaceAction } from "@/lib/workspaces/actions";

/** Creates a workspace and opens it; `onCreated` runs first (e.g. to close a dialog). */
export function NewWorkspaceForm({ onCreated }: { onCreated?: () => void }) {
  const router = useRouter();
  const { run, pending, error, fieldErrors } = useAction(createWorkspaceAction);
  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    await run({ name }, (data) => {
      onCreated?.();
      router.push(`/w/${data.slug}`);
      router.refresh();
    });
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={error && !error.fieldErrors ? error.message : undefined} />
      <Field label="Name" htmlFor="new-workspace-name" error={fieldErrors.name}>
        <Input id="new-workspace-name" name="name" placeholder="Acme research" autoFocus />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating…" : "Create workspace"}
      </Button>
    </form>
  );
}
