"use client";

import { ListChecks } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { createTestSetAction } from "@/lib/evaluation/test-sets/actions";

const TYPES = [
  { id: "true_false", label: "True / false" },
  { id: "multiple_choice", label: "Multiple choice" },
  { id: "short_answer", label: "Short answer" },
  { id: "open_answer", label: "Open answer" },
] as const;

type Source = { id: string; filename: string };

/** Starts writing a test set: which question types, how many per chunk, from how many chunks of which sources. */
export function NewTestSetForm({ projectId, sources, base }: { projectId: string; sources: Source[]; base: string }) {
  const router = useRouter();
  const create = useAction(createTestSetAction);
  const [types, setTypes] = useState<string[]>(TYPES.map((t) => t.id));
  const [chosen, setChosen] = useState<string[]>([]);
  return (
    <form
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        void create.run(
          {
            projectId,
            name: String(data.get("name") ?? ""),
            types: types as (typeof TYPES)[number]["id"][],
            perType: Number(data.get("perType")),
            chunks: Number(data.get("chunks")),
            sourceFileIds: chosen,
          },
          (result) => {
            toast.success("Writing the questions.");
            router.push(`${base}/${result.testSetId}`);
          },
        );
      }}
    >
      <FormError message={create.error?.message} />
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Name" htmlFor="ts-name" error={create.fieldErrors.name}>
          <Input id="ts-name" name="name" defaultValue="Handbook check" />
        </Field>
        <Field label="Questions per type per chunk" htmlFor="ts-per" error={create.fieldErrors.perType}>
          <Input id="ts-per" name="perType" type="number" min={1} max={5} defaultValue={1} />
        </Field>
        <Field label="Chunks" htmlFor="ts-chunks" error={create.fieldErrors.chunks} hint="Spread evenly over the sources.">
          <Input id="ts-chunks" name="chunks" type="number" min={1} max={500} defaultValue={20} />
        </Field>
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Question types</legend>
        <div className="flex flex-wrap gap-4">
          {TYPES.map((t) => (
            <label key={t.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                className="size-4 accent-primary"
                checked={types.includes(t.id)}
                onChange={(e) => setTypes((all) => (e.target.checked ? [...all, t.id] : all.filter((x) => x !== t.id)))}
              />
              {t.label}
            </label>
          ))}
        </div>
        {create.fieldErrors.types && <p className="text-sm text-destructive">{create.fieldErrors.types}</p>}
      </fieldset>
      {sources.length > 0 && (
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Sources</legend>
          <p className="text-xs text-muted-foreground">None chosen: all of them.</p>
          <div className="flex max-h-40 flex-col gap-1 overflow-y-auto">
            {sources.map((s) => (
              <label key={s.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  className="size-4 accent-primary"
                  checked={chosen.includes(s.id)}
                  onChange={(e) => setChosen((all) => (e.target.checked ? [...all, s.id] : all.filter((x) => x !== s.id)))}
                />
                <span className="truncate">{s.filename}</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <Button type="submit" disabled={create.pending}>
        <ListChecks className="size-4" /> {create.pending ? "Starting…" : "Write the test set"}
      </Button>
    </form>
  );
}
