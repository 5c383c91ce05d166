"use client";

import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { deleteSecretAction, setSecretAction } from "@/lib/secrets/actions";

export type SecretRow = { id: string; name: string; hint: string | null; description: string | null; updatedAt: string };

/** Write-only secrets: a value goes in and only its last characters ever come back. */
export function SecretList({ workspaceId, secrets, canManage }: { workspaceId: string; secrets: SecretRow[]; canManage: boolean }) {
  const router = useRouter();
  const save = useAction(setSecretAction);
  const remove = useAction(deleteSecretAction);
  const errors = Object.fromEntries(Object.entries(save.fieldErrors).map(([k, v]) => [k.replace(/^secret\./, ""), v]));
  return (
    <div className="space-y-4">
      <FormError message={remove.error?.message} />
      {secrets.length > 0 && (
        <ul className="divide-y rounded-md border text-sm">
          {secrets.map((s) => (
            <li key={s.id} className="flex items-center justify-between gap-2 p-3" data-testid={`secret-${s.name}`}>
              <div>
                <div className="font-mono font-medium">{s.name}</div>
                <div className="text-xs text-muted-foreground">
                  {s.hint ?? "set"} · changed {new Date(s.updatedAt).toLocaleDateString()}
                  {s.description ? ` · ${s.description}` : ""}
                </div>
              </div>
              {canManage && (
                <ConfirmButton
                  title={`Delete ${s.name}?`}
                  description="Runs and pushes that need it will fail until it is set again."
                  confirmLabel="Delete"
                  onConfirm={() => remove.run({ workspaceId, secretId: s.id }, () => router.refresh())}
                >
                  <Button size="icon" variant="ghost" aria-label={`Delete ${s.name}`}>
                    <Trash2 className="size-4" />
                  </Button>
                </ConfirmButton>
              )}
            </li>
          ))}
        </ul>
      )}
      {canManage && (
        <form
          noValidate
          className="grid items-end gap-3 sm:grid-cols-[12rem_1fr_auto]"
          onSubmit={async (event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const d = new FormData(form);
            await save.run({ workspaceId, secret: { name: String(d.get("name") ?? "").trim(), value: String(d.get("value") ?? "") } }, () => {
              form.reset();
              toast.success("Secret saved.");
              router.refresh();
            });
          }}
        >
          <Field label="Name" htmlFor="s-name" error={errors.name}>
            <Input id="s-name" name="name" defaultValue="HF_TOKEN" className="font-mono" />
          </Field>
          <Field label="Value" htmlFor="s-value" error={errors.value}>
            <Input id="s-value" name="value" type="password" autoComplete="off" placeholder="hf_…" />
          </Field>
          <Button type="submit" disabled={save.pending}>
            {save.pending ? "Saving…" : "Save secret"}
          </Button>
          <FormError className="sm:col-span-3" message={save.error && !save.error.fieldErrors ? save.error.message : undefined} />
        </form>
      )}
    </div>
  );
}
