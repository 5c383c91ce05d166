"use client";

import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { toast } from "@/components/ui/toast";
import { updateProjectAction } from "@/lib/projects/actions";
import { type OcrProviderChoice, ProjectFormFields, type ProjectFormValues, readProjectForm } from "./project-form";

export function EditProjectForm({
  projectId,
  values,
  canEdit,
  ocrInstalled,
  providers,
}: {
  projectId: string;
  values: ProjectFormValues;
  canEdit: boolean;
  /** The OCR languages the live workers can read (undefined: unknown). */
  ocrInstalled?: string[];
  /** The workspace's LLM providers, for the vision OCR choice. */
  providers?: OcrProviderChoice[];
}) {
  const router = useRouter();
  const { run, pending, error, fieldErrors } = useAction(updateProjectAction);
  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run({ projectId, ...readProjectForm(event.currentTarget) }, () => {
      toast.success("Project saved.");
      router.refresh();
    });
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={error && !error.fieldErrors ? error.message : undefined} />
      <fieldset disabled={!canEdit} className="space-y-4">
        <ProjectFormFields values={values} errors={fieldErrors} ocrInstalled={ocrInstalled} providers={providers} />
      </fieldset>
      {canEdit && (
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save changes"}
        </Button>
      )}
    </form>
  );
}
