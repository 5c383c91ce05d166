"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { toast } from "@/components/ui/toast";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from "@/lib/access/permissions";
import { inviteMemberAction } from "@/lib/workspaces/actions";

export function InviteForm({ workspaceId, roles }: { workspaceId: string; roles: Role[] }) {
  const { run, pending, error, fieldErrors } = useAction(inviteMemberAction);
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    await run({ workspaceId, email: String(data.get("email") ?? ""), role: String(data.get("role")) as Role }, (result) => {
      setLink(result.link);
      setCopied(false);
      form.reset();
      toast.success(result.emailed ? "Invitation sent by email." : "Invitation created. Copy the link below.");
    });
  }

  async function copy() {
    if (!link) return;
    await navigator.clipboard.writeText(link).catch(() => {});
    setCopied(true);
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-start" noValidate>
        <Field label="Email" htmlFor="invite-email" error={fieldErrors.email}>
          <Input id="invite-email" name="email" type="email" placeholder="colleague@example.com" />
        </Field>
        <Field label="Role" htmlFor="invite-role" error={fieldErrors.role}>
          <NativeSelect id="invite-role" name="role" defaultValue={roles.includes("editor") ? "editor" : roles[0]}>
            {roles.map((role) => (
              <option key={role} value={role} title={ROLE_DESCRIPTIONS[role]}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Button type="submit" disabled={pending} className="sm:mt-6">
          {pending ? "Inviting…" : "Invite"}
        </Button>
      </form>
      <FormError message={error && !error.fieldErrors ? error.message : undefined} />
      {link && (
        <div className="flex items-center gap-2 rounded-lg border bg-muted/40 p-2">
          <Input
            readOnly
            value={link}
            aria-label="Invitation link"
            data-testid="invitation-link"
            className="font-mono text-xs"
            onFocus={(e) => e.currentTarget.select()}
          />
          <Button type="button" variant="outline" size="sm" onClick={copy}>
            {copied ? <Check className="size-4" /> : <Copy className="size-4" />} {copied ? "Copied" : "Copy"}
          </Button>
        </div>
      )}
    </div>
  );
}
