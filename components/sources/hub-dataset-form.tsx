"use client";

import { Database, Search } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { formatBytes } from "@/components/ui/format-bytes";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import type { HubDatasetListing } from "@/lib/hub/datasets";
import { browseHubDatasetAction, importHubDatasetAction } from "@/lib/sources/actions";

/** Import a dataset from the Hugging Face Hub by id: find its data files, pick one, download it. */
export function HubDatasetForm({ projectId }: { projectId: string }) {
  const router = useRouter();
  const browse = useAction(browseHubDatasetAction);
  const start = useAction(importHubDatasetAction);
  const [listing, setListing] = useState<HubDatasetListing | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);

  return (
    <div className="space-y-3" data-testid="hub-dataset">
      <form
        className="flex flex-wrap items-start gap-2"
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          setListing(null);
          setChosen(null);
          start.reset();
          await browse.run({ projectId, dataset: String(data.get("dataset") ?? ""), revision: String(data.get("revision") ?? "") }, (found) => {
            setListing(found);
            setChosen(found.files[0]?.path ?? null);
          });
        }}
      >
        <div className="min-w-56 flex-[2]">
          <Field label="Hugging Face dataset" htmlFor="hub-dataset-id" error={browse.fieldErrors.dataset}>
            <Input id="hub-dataset-id" name="dataset" placeholder="tatsu-lab/alpaca" autoComplete="off" spellCheck={false} />
          </Field>
        </div>
        <div className="w-32 min-w-28 flex-1">
          <Field label="Revision" htmlFor="hub-dataset-revision" error={browse.fieldErrors.revision}>
            <Input id="hub-dataset-revision" name="revision" placeholder="main" autoComplete="off" spellCheck={false} />
          </Field>
        </div>
        <Button type="submit" variant="outline" disabled={browse.pending} className="mt-6">
          <Search className="size-4" /> {browse.pending ? "Looking…" : "Find files"}
        </Button>
        <FormError message={browse.error && !browse.error.fieldErrors ? browse.error.message : undefined} />
      </form>

      {listing && (
        <form
          className="space-y-3 rounded-lg border p-3"
          onSubmit={async (event) => {
            event.preventDefault();
            if (!chosen) return;
            await start.run({ projectId, dataset: listing.datasetId, revision: listing.revision, path: chosen }, () => {
              toast.success(`Downloading ${chosen} from the Hub; map its columns once it is ready.`);
              setListing(null);
              router.refresh();
            });
          }}
        >
          <fieldset>
            <legend className="text-sm font-medium">
              {listing.datasetId}
              <span className="font-normal text-muted-foreground"> · {listing.converted ? "the Hub's Parquet conversion" : listing.revision}</span>
            </legend>
            {listing.converted && (
              <p className="mt-1 text-sm text-muted-foreground">
                The repo has no data files of its own (a loading script or an archive); these are the Hub's Parquet export of it.
              </p>
            )}
            <ul className="mt-2 max-h-64 divide-y overflow-y-auto rounded-md border" data-testid="hub-dataset-files">
              {listing.files.map((file) => (
                <li key={file.path}>
                  <label className="flex cursor-pointer items-center gap-3 px-3 py-2 text-sm hover:bg-muted/50">
                    <input
                      type="radio"
                      name="path"
                      value={file.path}
                      checked={chosen === file.path}
                      onChange={() => setChosen(file.path)}
                      className="accent-primary"
                    />
                    <span className="min-w-0 flex-1 break-all font-mono text-xs">{file.path}</span>
                    <Badge variant="secondary" className="uppercase">
                      {file.format}
                    </Badge>
                    <span className="w-20 shrink-0 text-right tabular-nums text-muted-foreground">{formatBytes(file.size)}</span>
                  </label>
                </li>
              ))}
            </ul>
            {listing.total > listing.files.length && (
              <p className="mt-1 text-xs text-muted-foreground">
                Showing the first {listing.files.length.toLocaleString()} of {listing.total.toLocaleString()} files, by path.
              </p>
            )}
          </fieldset>
          <div className="flex flex-wrap items-center gap-2">
            <Button type="submit" disabled={!chosen || start.pending}>
              <Database className="size-4" /> {start.pending ? "Starting…" : "Import this file"}
            </Button>
            <span className="text-sm text-muted-foreground">Then choose how its columns map to examples, as for an upload.</span>
          </div>
          <FormError message={start.error?.message} />
        </form>
      )}
    </div>
  );
}
