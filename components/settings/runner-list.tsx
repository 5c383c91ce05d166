"use client";

import { Copy, Cpu, KeyRound, Pencil, Plus, ShieldAlert, ShieldCheck, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import type { RunnerView } from "@/lib/runners";
import { checkRunnerAction, confirmHostKeyAction, createRunnerAction, deleteRunnerAction, probeHostKeyAction, updateRunnerAction } from "@/lib/runners/actions";
import type { RunnerCheck } from "@/lib/runners/check";

/** A runner as the browser gets it: never its private key. */
export type RunnerRow = Omit<RunnerView, "hasPrivateKey" | "createdAt" | "lastCheckedAt"> & { lastCheckedAt: string | null };

function stripPrefix(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.replace(/^runner\./, ""), v]));
}

function RunnerDialog({
  workspaceId,
  runner,
  open,
  onOpenChange,
  allowLocal,
}: {
  workspaceId: string;
  runner: RunnerRow | null;
  open: boolean;
  onOpenChange(open: boolean): void;
  allowLocal: boolean;
}) {
  const router = useRouter();
  const create = useAction(createRunnerAction);
  const update = useAction(updateRunnerAction);
  const action = runner ? update : create;
  const [kind, setKind] = useState<"ssh" | "local">(runner?.kind ?? "ssh");
  const errors = stripPrefix(action.fieldErrors);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{runner ? `Edit ${runner.name}` : "Add a GPU runner"}</DialogTitle>
          <DialogDescription>A GPU box reached over SSH, or this server itself. Training runs there; the app follows it.</DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="space-y-4"
          onSubmit={async (event) => {
            event.preventDefault();
            const d = new FormData(event.currentTarget);
            const text = (k: string) => String(d.get(k) ?? "").trim();
            const value = {
              name: text("name"),
              kind,
              host: text("host"),
              port: Number(text("port") || 22),
              username: text("username"),
              workDir: text("workDir") || "~/finetuneflow",
              pythonPath: text("pythonPath"),
              packageIndexUrl: text("packageIndexUrl"),
              extraIndexUrls: text("extraIndexUrls"),
              findLinks: text("findLinks"),
              privateKey: text("privateKey"),
            };
            const done = () => {
              onOpenChange(false);
              toast.success(runner ? "Runner saved." : "Runner added. Confirm its host key, then run a check.");
              router.refresh();
            };
            if (runner) await update.run({ workspaceId, runnerId: runner.id, runner: value }, done);
            else await create.run({ workspaceId, runner: value }, done);
          }}
        >
          <FormError message={action.error && !action.error.fieldErrors ? action.error.message : undefined} />
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Name" htmlFor="r-name" error={errors.name}>
              <Input id="r-name" name="name" defaultValue={runner?.name} placeholder="lab-4090" />
            </Field>
            <Field label="Kind" htmlFor="r-kind" error={errors.kind}>
              <NativeSelect id="r-kind" name="kind" value={kind} disabled={Boolean(runner)} onChange={(e) => setKind(e.target.value as "ssh" | "local")}>
                <option value="ssh">SSH (a GPU box)</option>
                <option value="local" disabled={!allowLocal}>
                  {allowLocal ? "This server" : "This server (turned off here: ALLOW_LOCAL_RUNNERS)"}
                </option>
              </NativeSelect>
            </Field>
            {kind === "ssh" && (
              <>
                <Field label="Host" htmlFor="r-host" error={errors.host}>
                  <Input id="r-host" name="host" defaultValue={runner?.host ?? ""} placeholder="gpu-box.lan or 10.0.0.12" className="font-mono" />
                </Field>
                <div className="grid grid-cols-2 gap-4">
                  <Field label="Port" htmlFor="r-port" error={errors.port}>
                    <Input id="r-port" name="port" inputMode="numeric" defaultValue={runner?.port ?? 22} />
                  </Field>
                  <Field label="User" htmlFor="r-user" error={errors.username}>
                    <Input id="r-user" name="username" defaultValue={runner?.username ?? ""} placeholder="ubuntu" />
                  </Field>
                </div>
              </>
            )}
            <Field label="Work directory" htmlFor="r-dir" error={errors.workDir} hint="Runs, the Python environment and checkpoints live here.">
              <Input id="r-dir" name="workDir" defaultValue={runner?.workDir ?? "~/finetuneflow"} className="font-mono" />
            </Field>
            <Field
              label="Python (optional)"
              htmlFor="r-python"
              error={errors.pythonPath}
              hint="An existing Python with torch, transformers and peft. Empty: the app sets up a venv on first run."
            >
              <Input id="r-python" name="pythonPath" defaultValue={runner?.pythonPath ?? ""} placeholder="/opt/conda/bin/python" className="font-mono" />
            </Field>
          </div>
          <fieldset className="space-y-4 rounded-md border p-4">
            <legend className="px-1 text-sm font-medium">Package index (optional)</legend>
            <p className="text-muted-foreground text-xs">
              Where pip on the box gets torch, transformers and peft when the app sets up the venv: for boxes without internet access or with a mirror. Empty:
              the box&apos;s own pip configuration.
            </p>
            <Field
              label="Index URL"
              htmlFor="r-index"
              error={errors.packageIndexUrl}
              hint="Replaces PyPI, e.g. https://mirror.lan/simple or file:///opt/pypi/simple."
            >
              <Input
                id="r-index"
                name="packageIndexUrl"
                defaultValue={runner?.packageIndexUrl ?? ""}
                placeholder="https://pypi.org/simple"
                className="font-mono"
              />
            </Field>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Extra index URLs" htmlFor="r-extra-index" error={errors.extraIndexUrls} hint="One a line, e.g. the PyTorch CUDA wheel index.">
                <Textarea
                  id="r-extra-index"
                  name="extraIndexUrls"
                  rows={2}
                  defaultValue={runner?.extraIndexUrls.join("\n") ?? ""}
                  className="font-mono text-xs"
                />
              </Field>
              <Field label="Find-links" htmlFor="r-find-links" error={errors.findLinks} hint="Folders of wheels on the box, one a line.">
                <Textarea
                  id="r-find-links"
                  name="findLinks"
                  rows={2}
                  defaultValue={runner?.findLinks.join("\n") ?? ""}
                  placeholder="/opt/wheels"
                  className="font-mono text-xs"
                />
              </Field>
            </div>
          </fieldset>
          {kind === "ssh" && (
            <Field
              label="Private key (optional)"
              htmlFor="r-key"
              error={errors.privateKey}
              hint={
                runner
                  ? "Leave empty to keep the stored key."
                  : "Leave empty and the app generates an ed25519 key pair; you then add its public key to the box."
              }
            >
              <Textarea
                id="r-key"
                name="privateKey"
                rows={4}
                className="font-mono text-xs"
                placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
                autoComplete="off"
              />
            </Field>
          )}
          <DialogFooter>
            <Button type="submit" disabled={action.pending}>
              {action.pending ? "Saving…" : runner ? "Save" : "Add runner"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function HostKeyDialog({ workspaceId, runner, onClose }: { workspaceId: string; runner: RunnerRow; onClose(): void }) {
  const router = useRouter();
  const probe = useAction(probeHostKeyAction);
  const confirm = useAction(confirmHostKeyAction);
  const [seen, setSeen] = useState<{ fingerprint: string; keyType: string; pinned: string | null; matches: boolean } | null>(null);
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>Host key of {runner.name}</DialogTitle>
          <DialogDescription>
            Compare the fingerprint with the box&apos;s own: run <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> on it.
            Trust it only if they match.
          </DialogDescription>
        </DialogHeader>
        <FormError message={probe.error?.message ?? confirm.error?.message} />
        {!seen ? (
          <Button variant="outline" disabled={probe.pending} onClick={() => probe.run({ workspaceId, runnerId: runner.id }, setSeen)}>
            {probe.pending ? "Connecting…" : "Fetch the host key"}
          </Button>
        ) : (
          <div className="space-y-3 text-sm">
            <div>
              <div className="text-xs text-muted-foreground">{seen.keyType}</div>
              <div className="font-mono break-all" data-testid="host-fingerprint">
                {seen.fingerprint}
              </div>
            </div>
            {seen.pinned && !seen.matches && (
              <div className="flex gap-2 rounded-md border border-destructive/40 bg-destructive/10 p-3 text-destructive" role="alert">
                <ShieldAlert className="size-4 shrink-0" />
                <span>
                  This is NOT the key you trusted before ({seen.pinned}). The box may have been reinstalled, or someone may be intercepting the connection.
                  Trust the new key only if you know why it changed.
                </span>
              </div>
            )}
          </div>
        )}
        <DialogFooter>
          <Button
            disabled={!seen || confirm.pending || seen.matches}
            onClick={() =>
              seen &&
              confirm.run({ workspaceId, runnerId: runner.id, fingerprint: seen.fingerprint }, () => {
                toast.success("Host key trusted.");
                router.refresh();
                onClose();
              })
            }
          >
            {seen?.matches ? "Already trusted" : "Trust this key"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

function CheckSummary({ check }: { check: RunnerCheck }) {
  return (
    <div className="mt-1 space-y-0.5 text-xs" data-testid="runner-check">
      {check.gpus.map((gpu, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the GPUs of one check, in the box's order; the list never reorders
        <div key={i}>
          <Cpu className="mr-1 inline size-3" />
          {gpu.name} · {(gpu.memoryFreeMb / 1024).toFixed(1)} of {(gpu.memoryTotalMb / 1024).toFixed(1)} GB free{gpu.driver ? ` · driver ${gpu.driver}` : ""}
          {gpu.cuda ? ` · CUDA ${gpu.cuda}` : ""}
        </div>
      ))}
      <div className="text-muted-foreground">
        {check.python ? `Python ${check.python.version}` : "No Python found"} · {check.diskFreeGb.toFixed(1)} GB free in {check.workDir}
      </div>
      {check.warnings.map((w) => (
        <div key={w} className="text-amber-600 dark:text-amber-400">
          {w}
        </div>
      ))}
    </div>
  );
}

export function RunnerList({
  workspaceId,
  runners,
  canManage,
  allowLocal,
}: {
  workspaceId: string;
  runners: RunnerRow[];
  canManage: boolean;
  allowLocal: boolean;
}) {
  const router = useRouter();
  const [editing, setEditing] = useState<RunnerRow | null>(null);
  const [open, setOpen] = useState(false);
  const [hostKeyFor, setHostKeyFor] = useState<RunnerRow | null>(null);
  const [checkError, setCheckError] = useState<Record<string, string>>({});
  const check = useAction(checkRunnerAction);
  const remove = useAction(deleteRunnerAction);

  return (
    <div className="space-y-3">
      <FormError message={remove.error?.message} />
      {runners.length === 0 && <p className="text-sm text-muted-foreground">No runners yet. Add the GPU box you train on; the app connects to it over SSH.</p>}
      <ul className="divide-y rounded-md border">
        {runners.map((r) => (
          <li key={r.id} className="space-y-2 p-3" data-testid={`runner-${r.name}`}>
            <div className="flex flex-wrap items-start justify-between gap-2">
              <div>
                <div className="flex items-center gap-2 font-medium">
                  {r.name}
                  {r.kind === "local" ? (
                    <Badge variant="secondary">this server</Badge>
                  ) : r.hostKeyFingerprint ? (
                    <Badge variant="secondary" title={r.hostKeyFingerprint}>
                      <ShieldCheck className="size-3" /> host key trusted
                    </Badge>
                  ) : (
                    <Badge variant="outline" className="border-amber-500 text-amber-600">
                      host key not confirmed
                    </Badge>
                  )}
                </div>
                <div className="font-mono text-xs text-muted-foreground">
                  {r.kind === "ssh" ? `${r.username}@${r.host}:${r.port}` : "local"} · {r.workDir} ·{" "}
                  {r.pythonPath ? `python: ${r.pythonPath}` : `venv set up on first run${r.packageIndexUrl ? ` from ${r.packageIndexUrl}` : ""}`}
                </div>
                {r.lastCheck && <CheckSummary check={r.lastCheck} />}
                {checkError[r.id] && (
                  <div className="mt-1 text-xs text-destructive" role="alert">
                    {checkError[r.id]}
                  </div>
                )}
              </div>
              {canManage && (
                <div className="flex gap-1">
                  {r.kind === "ssh" && (
                    <Button size="sm" variant="outline" onClick={() => setHostKeyFor(r)}>
                      <KeyRound className="size-3" /> Host key
                    </Button>
                  )}
                  <Button
                    size="sm"
                    variant="outline"
                    disabled={check.pending || (r.kind === "ssh" && !r.hostKeyFingerprint)}
                    title={r.kind === "ssh" && !r.hostKeyFingerprint ? "Confirm the host key first" : undefined}
                    onClick={async () => {
                      setCheckError((e) => ({ ...e, [r.id]: "" }));
                      const result = await check.run({ workspaceId, runnerId: r.id }, () => router.refresh());
                      if (!result.ok) setCheckError((e) => ({ ...e, [r.id]: result.error.message }));
                    }}
                  >
                    <Cpu className="size-3" /> {check.pending ? "Checking…" : "Check"}
                  </Button>
                  <Button
                    size="icon"
                    variant="ghost"
                    aria-label={`Edit ${r.name}`}
                    onClick={() => {
                      setEditing(r);
                      setOpen(true);
                    }}
                  >
                    <Pencil className="size-4" />
                  </Button>
                  <ConfirmButton
                    title={`Delete ${r.name}?`}
                    description="Its stored key is deleted. Runs already made keep their results."
                    confirmLabel="Delete"
                    onConfirm={() => remove.run({ workspaceId, runnerId: r.id }, () => router.refresh())}
                  >
                    <Button size="icon" variant="ghost" aria-label={`Delete ${r.name}`}>
                      <Trash2 className="size-4" />
                    </Button>
                  </ConfirmButton>
                </div>
              )}
            </div>
            {r.publicKey && (
              <div className="flex items-center gap-2">
                <code
                  className="min-w-0 flex-1 truncate rounded bg-muted px-2 py-1 text-xs"
                  data-testid="runner-public-key"
                  title="Add this line to ~/.ssh/authorized_keys on the box"
                >
                  {r.publicKey}
                </code>
                <Button
                  size="icon"
                  variant="ghost"
                  aria-label="Copy the public key"
                  onClick={() =>
                    navigator.clipboard
                      .writeText(r.publicKey ?? "")
                      .then(() => toast.success("Public key copied. Add it to ~/.ssh/authorized_keys on the box."))
                  }
                >
                  <Copy className="size-4" />
                </Button>
              </div>
            )}
          </li>
        ))}
      </ul>
      {canManage && (
        <Button
          variant="outline"
          onClick={() => {
            setEditing(null);
            setOpen(true);
          }}
        >
          <Plus className="size-4" /> Add runner
        </Button>
      )}
      {open && (
        <RunnerDialog key={editing?.id ?? "new"} workspaceId={workspaceId} runner={editing} open={open} onOpenChange={setOpen} allowLocal={allowLocal} />
      )}
      {hostKeyFor && <HostKeyDialog workspaceId={workspaceId} runner={hostKeyFor} onClose={() => setHostKeyFor(null)} />}
    </div>
  );
}
