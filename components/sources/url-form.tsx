"use client";

import { Globe } from "lucide-react";
import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { addUrlSourceAction } from "@/lib/sources/actions";

export function UrlForm({ projectId }: { projectId: string }) {
  const router = useRouter();
  const { run, pending, error, fieldErrors } = useAction(addUrlSourceAction);
  return (
    <form
      className="flex flex-wrap items-start gap-2"
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        await run({ projectId, url: String(new FormData(form).get("url") ?? "") }, () => {
          form.reset();
          toast.success("Page added; it is being fetched.");
          router.refresh();
        });
      }}
    >
      <div className="min-w-64 flex-1">
        <Field label="Web page" htmlFor="source-url" error={fieldErrors.url}>
          <Input id="source-url" name="url" type="url" placeholder="https://docs.example.com/guide" />
        </Field>
      </div>
      <Button type="submit" variant="outline" disabled={pending} className="mt-6">
        <Globe className="size-4" /> {pending ? "Adding…" : "Add page"}
      </Button>
      <FormError message={error && !error.fieldErrors ? error.message : undefined} />
    </form>
  );
}
