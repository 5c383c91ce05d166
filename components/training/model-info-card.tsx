"use client";

import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import type { ModelInfo } from "@/lib/base-models/info";
import { resolveModelInfoAction } from "@/lib/training/actions";

function formatParams(n: number | null | undefined): string {
  if (!n) return "–";
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : `${(n / 1e6).toFixed(0)} M`;
}

/** The base model as the Hub describes it: size, architecture, license, memory. */
export function ModelInfoCard({
  projectId,
  baseModelId,
  info,
  canRefresh,
  settingsHref,
}: {
  projectId: string;
  baseModelId: string | null;
  info: ModelInfo | null;
  canRefresh: boolean;
  settingsHref: string;
}) {
  const router = useRouter();
  const resolve = useAction(resolveModelInfoAction);
  if (!baseModelId) {
    return (
      <p className="text-sm text-muted-foreground">
        No base model yet.{" "}
        <a className="underline" href={settingsHref}>
          Set one in the project settings
        </a>
        , e.g. <code>Qwen/Qwen2.5-0.5B-Instruct</code>.
      </p>
    );
  }
  const facts: Array<[string, string]> = info
    ? [
        ["Parameters", formatParams(info.num_parameters)],
        ["Architecture", info.architecture ?? info.model_type ?? "–"],
        ["Context", info.max_position_embeddings ? info.max_position_embeddings.toLocaleString() : "–"],
        ["Vocabulary", info.vocab_size ? info.vocab_size.toLocaleString() : "–"],
        ["License", info.license ?? "unknown"],
        ["Weights fp16", `${info.estimated_vram_fp16_gb.toFixed(1)} GB`],
        ["Weights 4-bit", `${info.estimated_vram_4bit_gb.toFixed(1)} GB`],
      ]
    : [];
  return (
    <div className="space-y-3" data-testid="model-info">
      <div className="flex flex-wrap items-center gap-2">
        <code className="font-mono font-medium">{baseModelId}</code>
        {info?.gated && <Badge variant="outline">gated: needs HF_TOKEN</Badge>}
        {canRefresh && (
          <Button size="sm" variant="outline" disabled={resolve.pending} onClick={() => resolve.run({ projectId }, () => router.refresh())}>
            <RefreshCw className="size-3" /> {resolve.pending ? "Looking up…" : info ? "Refresh" : "Look up on the Hub"}
          </Button>
        )}
      </div>
      <FormError message={resolve.error?.message} />
      {info ? (
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4 lg:grid-cols-7">
          {facts.map(([label, value]) => (
            <div key={label}>
              <dt className="text-xs text-muted-foreground">{label}</dt>
              <dd className="truncate tabular-nums" title={value}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="text-sm text-muted-foreground">Look the model up to see its size and the memory a run needs.</p>
      )}
    </div>
  );
}
