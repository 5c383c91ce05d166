"use client";

import { Copy, KeyRound, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { toast } from "@/components/ui/toast";
import type { Role } from "@/lib/access/permissions";
import { createApiTokenAction, revokeApiTokenAction } from "@/lib/api/actions";
import type { ApiTokenView } from "@/lib/auth/api-tokens";

const EXPIRY = [
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
  { label: "Never", days: null },
] as const;

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : null);

function state(t: ApiTokenView): { label: string; variant: "secondary" | "outline" | "destructive" } {
  if (t.revokedAt) return { label: "revoked", variant: "destructive" };
  if (t.expiresAt && new Date(t.expiresAt).getTime() <= Date.now()) return { label: "expired", variant: "outline" };
  return { label: "active", variant: "secondary" };
}

/** The caller's API tokens in this workspace: made here, shown once, revoked here. */
export function ApiTokenList({ workspaceId, tokens, roles, apiDocsHref }: { workspaceId: string; tokens: ApiTokenView[]; roles: Role[]; apiDocsHref: string }) {
  const router = useRouter();
  const create = useAction(createApiTokenAction);
  const revoke = useAction(revokeApiTokenAction);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <div className="space-y-4">
      <p className="text-sm text-muted-foreground">
        For scripts and CI: send it as <code className="font-mono">Authorization: Bearer ftf_…</code>. A token reaches this workspace only, with at most the
        role you give it; the API is described at{" "}
        <a className="underline" href={apiDocsHref}>
          /api/openapi.json
        </a>
        .
      </p>
      {created && (
        <div
          className="space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950"
          data-testid="new-token"
        >
          <p className="font-medium">Copy the token now: it is not shown again.</p>
          <div className="flex items-center gap-2">
            <code className="min-w-0 flex-1 break-all rounded bg-background px-2 py-1 font-mono text-xs" data-testid="new-token-value">
              {created}
            </code>
            <Button
              size="icon"
              variant="outline"
              aria-label="Copy the token"
              onClick={() =>
                void navigator.clipboard?.writeText(created).then(
                  () => toast.success("Copied."),
                  () => toast.error("Copy it by hand."),
                )
              }
            >
              <Copy className="size-4" />
            </Button>
          </div>
        </div>
      )}
      <FormError message={revoke.error?.message} />
      {tokens.length > 0 && (
        <ul className="divide-y rounded-md border text-sm" data-testid="api-tokens">
          {tokens.map((t) => {
            const s = state(t);
            return (
              <li key={t.id} className="flex flex-wrap items-center justify-between gap-2 p-3" data-testid={`api-token-${t.name}`}>
                <div className="min-w-0">
                  <div className="flex flex-wrap items-center gap-2 font-medium">
                    {t.name} <Badge variant="outline">{t.role}</Badge> <Badge variant={s.variant}>{s.label}</Badge>
                  </div>
                  <div className="text-xs text-muted-foreground">
                    <span className="font-mono">{t.prefix}…</span> · made {when(t.createdAt)} ·{" "}
                    {t.lastUsedAt ? `last used ${when(t.lastUsedAt)}` : "never used"}
                    {t.expiresAt ? ` · ${s.label === "expired" ? "expired" : "expires"} ${when(t.expiresAt)}` : " · no expiry"}
                  </div>
                </div>
                {!t.revokedAt && (
                  <ConfirmButton
                    title={`Revoke ${t.name}?`}
                    description="Scripts using it get 401 from the next call on. This cannot be undone."
                    confirmLabel="Revoke"
                    onConfirm={() => revoke.run({ workspaceId, tokenId: t.id }, () => router.refresh())}
                  >
                    <Button size="icon" variant="ghost" aria-label={`Revoke ${t.name}`}>
                      <Trash2 className="size-4" />
                    </Button>
                  </ConfirmButton>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <form
        noValidate
        className="grid items-end gap-3 sm:grid-cols-[1fr_9rem_9rem_auto]"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const d = new FormData(form);
          const days = String(d.get("expires") ?? "90");
          await create.run(
            {
              workspaceId,
              name: String(d.get("name") ?? "").trim(),
              role: String(d.get("role")) as Role,
              expiresInDays: days === "never" ? null : Number(days),
            },
            (result) => {
              setCreated(result.token);
              form.reset();
              router.refresh();
            },
          );
        }}
      >
        <Field label="Name" htmlFor="t-name" error={create.fieldErrors.name}>
          <Input id="t-name" name="name" placeholder="nightly export script" />
        </Field>
        <Field label="Role" htmlFor="t-role">
          <NativeSelect id="t-role" name="role" defaultValue={roles.at(-1)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field label="Expires" htmlFor="t-expires">
          <NativeSelect id="t-expires" name="expires" defaultValue="90">
            {EXPIRY.map((e) => (
              <option key={e.label} value={e.days ?? "never"}>
                {e.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Button type="submit" disabled={create.pending} data-testid="create-token">
          <KeyRound className="size-4" /> {create.pending ? "Creating…" : "Create token"}
        </Button>
        <FormError className="sm:col-span-4" message={create.error && !create.error.fieldErrors ? create.error.message : undefined} />
      </form>
    </div>
  );
}
