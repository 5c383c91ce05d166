"use client";

import { Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { createProjectFromAction } from "@/lib/projects/actions";
import { createProjectAction } from "@/lib/workspaces/actions";
import { ProjectFormFields, readProjectForm } from "./project-form";

type Choice = { id: string; name: string };

/**
 * A new project: blank (its settings in the form), or started from a template or another
 * project's settings (then only its name and description are asked; the rest is copied).
 */
export function NewProjectDialog({ workspaceId, templates = [], projects = [] }: { workspaceId: string; templates?: Choice[]; projects?: Choice[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState("");
  const blank = useAction(createProjectAction);
  const copied = useAction(createProjectFromAction);
  const { pending, error, fieldErrors } = from ? copied : blank;
  const reset = () => {
    blank.reset();
    copied.reset();
  };

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const done = (data: { href: string }) => {
      setOpen(false);
      router.push(data.href);
    };
    if (!from) return void (await blank.run({ workspaceId, ...readProjectForm(event.currentTarget) }, done));
    const data = new FormData(event.currentTarget);
    const [kind, id] = from.split(":");
    await copied.run(
      {
        workspaceId,
        name: String(data.get("name") ?? ""),
        description: String(data.get("description") ?? ""),
        from: kind === "template" ? { templateId: id } : { projectId: id },
      },
      done,
    );
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) reset();
        setOpen(next);
      }}
    >
      <DialogTrigger asChild>
        <Button>
          <Plus className="size-4" /> New project
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>New project</DialogTitle>
          <DialogDescription>Name it and pick the kind of dataset to build. Everything can be changed later.</DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <FormError message={error && !error.fieldErrors ? error.message : undefined} />
          {(templates.length > 0 || projects.length > 0) && (
            <Field
              label="Start from"
              htmlFor="np-from"
              hint={from ? "Task type, base model, chunking, generation and training settings are copied; sources and examples are not." : undefined}
            >
              <NativeSelect id="np-from" value={from} onChange={(e) => setFrom(e.target.value)}>
                <option value="">A blank project</option>
                {templates.length > 0 && (
                  <optgroup label="Templates">
                    {templates.map((t) => (
                      <option key={t.id} value={`template:${t.id}`}>
                        {t.name}
                      </option>
                    ))}
                  </optgroup>
                )}
                {projects.length > 0 && (
                  <optgroup label="Another project's settings">
                    {projects.map((p) => (
                      <option key={p.id} value={`project:${p.id}`}>
                        {p.name}
                      </option>
                    ))}
                  </optgroup>
                )}
              </NativeSelect>
            </Field>
          )}
          {from ? (
            <>
              <Field label="Name" htmlFor="np-name" error={fieldErrors.name}>
                <Input id="np-name" name="name" />
              </Field>
              <Field label="Description" htmlFor="np-description" error={fieldErrors.description}>
                <Textarea id="np-description" name="description" rows={2} />
              </Field>
            </>
          ) : (
            <ProjectFormFields errors={fieldErrors} />
          )}
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? "Creating…" : "Create project"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
