"use client";

import { Copy } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { cloneProjectAction } from "@/lib/projects/actions";

/** Copies the project: its settings, and optionally its sources and examples (a job in the copy). */
export function CloneProject({ projectId, name }: { projectId: string; name: string }) {
  const router = useRouter();
  const clone = useAction(cloneProjectAction);
  const [withSources, setWithSources] = useState(true);
  const [withExamples, setWithExamples] = useState(false);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Copy this project</CardTitle>
        <CardDescription>
          A new project with these settings; its sources (files and chunks) and examples too if you want them. Runs are not copied.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          className="space-y-3"
          onSubmit={(event) => {
            event.preventDefault();
            const copyName = String(new FormData(event.currentTarget).get("name") ?? "");
            void clone.run({ projectId, name: copyName, withSources, withExamples }, (copy) => {
              toast.success(copy.jobId ? "Copy made; its sources are being copied." : "Copy made.");
              router.push(copy.href);
            });
          }}
        >
          <FormError message={clone.error && !clone.fieldErrors.name ? clone.error.message : undefined} />
          <Field label="Name of the copy" htmlFor="clone-name" error={clone.fieldErrors.name}>
            <Input id="clone-name" name="name" defaultValue={`${name} (copy)`} />
          </Field>
          <div className="flex flex-wrap gap-4 text-sm">
            <label className="flex items-center gap-2">
              <input type="checkbox" className="size-4 accent-primary" checked={withSources} onChange={(e) => setWithSources(e.target.checked)} />
              With its sources
            </label>
            <label className="flex items-center gap-2">
              <input type="checkbox" className="size-4 accent-primary" checked={withExamples} onChange={(e) => setWithExamples(e.target.checked)} />
              With its examples
            </label>
          </div>
          <Button type="submit" variant="outline" disabled={clone.pending}>
            <Copy className="size-4" /> {clone.pending ? "Copying…" : "Copy project"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
