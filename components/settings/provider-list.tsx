"use client";

import { Pencil, Plug, Plus, Star, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormError } from "@/components/ui/form";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { createProviderAction, deleteProviderAction, setDefaultProviderAction, testProviderAction, updateProviderAction } from "@/lib/llm/actions";
import { ProviderFields, type ProviderFormValue, readProviderForm } from "./provider-form";

export type ProviderRow = Omit<ProviderFormValue, "apiKey"> & { id: string; isDefault: boolean; hasApiKey: boolean; apiKeyHint: string | null };

const KIND_LABELS = { ollama: "Ollama", openai: "OpenAI-compatible", huggingface: "Hugging Face" } as const;

function stripPrefix(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k.replace(/^provider\./, ""), v]));
}

function ProviderDialog({
  workspaceId,
  provider,
  open,
  onOpenChange,
}: {
  workspaceId: string;
  provider: ProviderRow | null;
  open: boolean;
  onOpenChange(open: boolean): void;
}) {
  const router = useRouter();
  const create = useAction(createProviderAction);
  const update = useAction(updateProviderAction);
  const action = provider ? update : create;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{provider ? `Edit ${provider.name}` : "Add an LLM provider"}</DialogTitle>
          <DialogDescription>
            Ollama, any OpenAI-compatible server (vLLM, llama.cpp, LM Studio, OpenAI, OpenRouter …) or Hugging Face Inference.
          </DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="space-y-4"
          onSubmit={async (event) => {
            event.preventDefault();
            const value = readProviderForm(event.currentTarget);
            const done = () => {
              onOpenChange(false);
              toast.success(provider ? "Provider saved." : "Provider added.");
              router.refresh();
            };
            if (provider) await update.run({ workspaceId, providerId: provider.id, provider: value }, done);
            else await create.run({ workspaceId, provider: value }, done);
          }}
        >
          <FormError message={action.error && !action.error.fieldErrors ? action.error.message : undefined} />
          <ProviderFields key={provider?.id ?? "new"} initial={provider ?? undefined} errors={stripPrefix(action.fieldErrors)} />
          <DialogFooter>
            <Button type="submit" disabled={action.pending}>
              {action.pending ? "Saving…" : provider ? "Save" : "Add provider"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function ProviderList({ workspaceId, providers, canManage }: { workspaceId: string; providers: ProviderRow[]; canManage: boolean }) {
  const router = useRouter();
  const [editing, setEditing] = useState<ProviderRow | null>(null);
  const [open, setOpen] = useState(false);
  const [tested, setTested] = useState<Record<string, string>>({});
  const test = useAction(testProviderAction);
  const remove = useAction(deleteProviderAction);
  const makeDefault = useAction(setDefaultProviderAction);

  return (
    <div className="space-y-3">
      <FormError message={remove.error?.message ?? makeDefault.error?.message ?? test.error?.message} />
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Provider</TableHead>
            <TableHead>Model</TableHead>
            <TableHead>Limits</TableHead>
            <TableHead>Price / 1M tokens</TableHead>
            <TableHead />
          </TableRow>
        </TableHeader>
        <TableBody>
          {providers.map((p) => (
            <TableRow key={p.id} data-testid={`provider-${p.name}`}>
              <TableCell>
                <div className="flex items-center gap-2 font-medium">
                  {p.name} {p.isDefault && <Badge variant="secondary">default</Badge>}
                </div>
                <div className="text-xs text-muted-foreground">
                  {KIND_LABELS[p.kind]} · <span className="font-mono">{p.baseUrl || "hosted"}</span>
                  {p.hasApiKey && ` · key ${p.apiKeyHint ?? "set"}`}
                </div>
                {tested[p.id] && (
                  <div className="mt-1 text-xs" data-testid="provider-test-result">
                    {tested[p.id]}
                  </div>
                )}
              </TableCell>
              <TableCell className="font-mono text-xs">{p.defaultModel ?? "–"}</TableCell>
              <TableCell className="text-xs text-muted-foreground">
                {p.options.concurrency} at once{p.options.requestsPerMinute ? `, ${p.options.requestsPerMinute}/min` : ""}
              </TableCell>
              <TableCell className="text-xs text-muted-foreground">
                {p.options.prices ? `$${p.options.prices.inputPer1M} in / $${p.options.prices.outputPer1M} out` : "free"}
              </TableCell>
              <TableCell>
                <div className="flex justify-end gap-1">
                  {canManage && (
                    <Button
                      size="sm"
                      variant="outline"
                      disabled={test.pending}
                      onClick={() =>
                        test.run({ workspaceId, providerId: p.id }, (result) =>
                          setTested((t) => ({
                            ...t,
                            [p.id]: result.ok
                              ? `Connected in ${result.latencyMs} ms · ${result.models.length} models${result.models.length ? `: ${result.models.slice(0, 6).join(", ")}${result.models.length > 6 ? " …" : ""}` : ""}`
                              : `Failed: ${result.message}`,
                          })),
                        )
                      }
                    >
                      <Plug className="size-3" /> Test
                    </Button>
                  )}
                  {canManage && (
                    <>
                      {!p.isDefault && (
                        <Button
                          size="icon"
                          variant="ghost"
                          aria-label={`Make ${p.name} the default`}
                          onClick={() => makeDefault.run({ workspaceId, providerId: p.id }, () => router.refresh())}
                        >
                          <Star className="size-4" />
                        </Button>
                      )}
                      <Button
                        size="icon"
                        variant="ghost"
                        aria-label={`Edit ${p.name}`}
                        onClick={() => {
                          setEditing(p);
                          setOpen(true);
                        }}
                      >
                        <Pencil className="size-4" />
                      </Button>
                      <ConfirmButton
                        title={`Delete ${p.name}?`}
                        description="Projects that generate with it fall back to the workspace's default provider. Its stored key is deleted."
                        confirmLabel="Delete"
                        onConfirm={() => remove.run({ workspaceId, providerId: p.id }, () => router.refresh())}
                      >
                        <Button size="icon" variant="ghost" aria-label={`Delete ${p.name}`}>
                          <Trash2 className="size-4" />
                        </Button>
                      </ConfirmButton>
                    </>
                  )}
                </div>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {canManage && (
        <Button
          variant="outline"
          onClick={() => {
            setEditing(null);
            setOpen(true);
          }}
        >
          <Plus className="size-4" /> Add provider
        </Button>
      )}
      <ProviderDialog workspaceId={workspaceId} provider={editing} open={open} onOpenChange={setOpen} />
    </div>
  );
}
