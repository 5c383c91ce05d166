"use client";

import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { setWorkspaceQuotaAction } from "@/lib/admin/actions";
import type { Quota } from "@/lib/usage";

/** The instance administrator's quota for this workspace (blank: no limit). */
export function QuotaForm({ workspaceId, quota }: { workspaceId: string; quota: Quota }) {
  const router = useRouter();
  const save = useAction(setWorkspaceQuotaAction);
  return (
    <form
      className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const num = (name: string) => {
          const v = String(data.get(name) ?? "").trim();
          return v === "" ? null : Number(v);
        };
        void save.run({ workspaceId, quota: { tokens_per_month: num("tokens"), storage_gb: num("storage") } }, () => {
          toast.success("Quota saved.");
          router.refresh();
        });
      }}
    >
      <div className="sm:col-span-3">
        <FormError message={save.error?.message} />
      </div>
      <Field label="LLM tokens per month" htmlFor={`quota-tokens-${workspaceId}`} hint="Blank: no limit." error={save.fieldErrors.tokens_per_month}>
        <Input id={`quota-tokens-${workspaceId}`} name="tokens" type="number" min={1} step={1} defaultValue={quota.tokens_per_month ?? ""} />
      </Field>
      <Field label="Storage (GB)" htmlFor={`quota-storage-${workspaceId}`} hint="Blank: no limit." error={save.fieldErrors.storage_gb}>
        <Input id={`quota-storage-${workspaceId}`} name="storage" type="number" min={0.001} step="any" defaultValue={quota.storage_gb ?? ""} />
      </Field>
      <Button type="submit" variant="outline" disabled={save.pending}>
        Save quota
      </Button>
    </form>
  );
}
