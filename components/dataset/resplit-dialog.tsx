"use client";

import { Shuffle } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { toast } from "@/components/ui/toast";
import { resplitAction } from "@/lib/datasets/actions";

/** Re-split train/eval: an exact share, a seed, pending or all examples, stratified by source file. */
export function ResplitDialog({ projectId, share }: { projectId: string; share: number }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const action = useAction(resplitAction);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await action.run({
      projectId,
      share: Number(form.get("share")) / 100,
      seed: String(form.get("seed") ?? ""),
      scope: form.get("scope") === "all" ? "all" : "pending",
      stratify: form.get("stratify") === "on",
    });
    if (!result.ok) return;
    setOpen(false);
    toast.success(`Train ${result.data.train.toLocaleString()} · eval ${result.data.eval.toLocaleString()} (${result.data.moved.toLocaleString()} moved).`);
    router.refresh();
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          <Shuffle className="size-3" /> Re-split
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Re-split train and eval</DialogTitle>
          <DialogDescription>
            Exactly this share goes to train; examples with the same text stay on one side. New examples are drawn with the same share.
          </DialogDescription>
        </DialogHeader>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          <FormError message={action.error && !action.error.fieldErrors ? action.error.message : undefined} />
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Train share (%)" htmlFor="resplit-share" error={action.fieldErrors.share}>
              <Input id="resplit-share" name="share" type="number" min={50} max={99} step={1} defaultValue={Math.round(share * 100)} />
            </Field>
            <Field label="Seed" htmlFor="resplit-seed" hint="Any text; the same seed gives the same split." error={action.fieldErrors.seed}>
              <Input id="resplit-seed" name="seed" placeholder="(the project's)" />
            </Field>
          </div>
          <Field label="Examples" htmlFor="resplit-scope">
            <NativeSelect id="resplit-scope" name="scope" defaultValue="pending">
              <option value="pending">Those still to review (approved and rejected ones stay)</option>
              <option value="all">All examples</option>
            </NativeSelect>
          </Field>
          <div className="flex items-center gap-2 text-sm">
            <Checkbox id="resplit-stratify" name="stratify" defaultChecked aria-label="Stratify by source file" />
            <label htmlFor="resplit-stratify">The same share from every source file</label>
          </div>
          <DialogFooter>
            <Button type="submit" disabled={action.pending}>
              {action.pending ? "Re-splitting…" : "Re-split"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
