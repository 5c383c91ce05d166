"use client";

import { BookmarkPlus } from "lucide-react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { saveTemplateAction } from "@/lib/projects/actions";

/** Saves this project's settings as a workspace template, to start new projects from. */
export function SaveTemplate({ projectId, defaultName }: { projectId: string; defaultName: string }) {
  const save = useAction(saveTemplateAction);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Save as a template</CardTitle>
        <CardDescription>
          Task type, base model, chunking, generation prompt and settings and the last training launch, for new projects of this workspace to start from.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="grid gap-3 sm:grid-cols-[1fr_auto] sm:items-end"
          onSubmit={(event) => {
            event.preventDefault();
            const name = String(new FormData(event.currentTarget).get("name") ?? "");
            void save.run({ projectId, name }, (t) => toast.success(`Template "${t.name}" saved.`));
          }}
        >
          <div className="sm:col-span-2">
            <FormError message={save.error && !save.fieldErrors.name ? save.error.message : undefined} />
          </div>
          <Field label="Template name" htmlFor="tpl-name" error={save.fieldErrors.name}>
            <Input id="tpl-name" name="name" defaultValue={`${defaultName} settings`} />
          </Field>
          <Button type="submit" variant="outline" disabled={save.pending}>
            <BookmarkPlus className="size-4" /> Save template
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
