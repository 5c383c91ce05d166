"use client";

import { Gauge, Rocket, Save } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { formatDuration } from "@/components/jobs/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Progress } from "@/components/ui/progress";
import { NativeSelect } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { toast } from "@/components/ui/toast";
import type { LastTraining, Preflight } from "@/lib/training";
import { deletePresetAction, preflightAction, savePresetAction, startTrainingAction } from "@/lib/training/actions";
import { describePrepared } from "@/lib/training/prepared";
import type { Hyperparams, PresetView } from "@/lib/training/presets";

/** noGpu: its last check found no NVIDIA GPU. */
type RunnerOption = { id: string; name: string; ready: boolean; freeVramGb: number | null; noGpu: boolean };

type Props = {
  workspaceId: string;
  projectId: string;
  runners: RunnerOption[];
  presets: PresetView[];
  canLaunch: boolean;
  settingsHref: string;
  /** The run page is this plus the run id. */
  runHrefBase: string;
  /** The project's last launch: the form starts from it while its runner and preset still exist. */
  last?: LastTraining | null;
};

const NUMBER_FIELDS: Array<{ key: keyof Hyperparams; label: string; step?: string; hint?: string }> = [
  { key: "lora_r", label: "LoRA rank (r)" },
  { key: "lora_alpha", label: "LoRA alpha" },
  { key: "lora_dropout", label: "Dropout", step: "0.01" },
  { key: "learning_rate", label: "Learning rate", step: "any" },
  { key: "num_epochs", label: "Epochs", step: "0.1" },
  { key: "per_device_batch_size", label: "Batch size" },
  { key: "gradient_accumulation_steps", label: "Gradient accumulation" },
  { key: "max_seq_length", label: "Max sequence length" },
  { key: "warmup_ratio", label: "Warmup ratio", step: "0.01" },
  { key: "eval_steps", label: "Eval every (steps)" },
  { key: "save_steps", label: "Checkpoint every (steps)" },
  { key: "seed", label: "Seed" },
];

const VERDICT: Record<string, { label: string; className: string }> = {
  ok: { label: "Fits", className: "bg-emerald-600 text-white" },
  tight: { label: "Tight", className: "bg-amber-500 text-white" },
  too_big: { label: "Will not fit", className: "bg-destructive text-white" },
  unknown: { label: "Unknown GPU", className: "" },
};

function PreflightView({ preflight }: { preflight: Preflight }) {
  const verdict = VERDICT[preflight.verdict] ?? VERDICT.unknown;
  const free = preflight.runnerFreeVramMb !== null ? preflight.runnerFreeVramMb / 1024 : null;
  const share = free ? Math.min(100, Math.round((preflight.totalGb / free) * 100)) : null;
  const exact = preflight.exactTokens;
  return (
    <div className="space-y-3 rounded-md border p-4" data-testid="preflight">
      <div className="flex flex-wrap items-center gap-2">
        <Gauge className="size-4" />
        <span className="font-medium">Preflight</span>
        <Badge className={preflight.runnerGpu === "none" ? "bg-destructive text-white" : verdict.className} data-testid="preflight-verdict">
          {preflight.runnerGpu === "none" ? "No GPU" : verdict.label}
        </Badge>
      </div>
      {preflight.blocker && <FormError message={preflight.blocker} />}
      <div className="grid gap-1">
        <div className="flex justify-between text-sm">
          <span>GPU memory</span>
          <span className="tabular-nums" data-testid="preflight-vram">
            ≈ {preflight.totalGb.toFixed(1)} GB{free !== null ? ` of ${free.toFixed(1)} GB free` : ""}
          </span>
        </div>
        {share !== null && (
          <Progress
            value={share}
            className={share >= 100 ? "[&>div]:bg-destructive" : share >= 85 ? "[&>div]:bg-amber-500" : ""}
            aria-label="GPU memory needed"
          />
        )}
        <div className="text-xs text-muted-foreground">
          weights {preflight.weightsGb.toFixed(1)} GB · LoRA + optimizer {preflight.loraGb.toFixed(2)} GB · activations {preflight.activationsGb.toFixed(1)} GB
          · overhead {preflight.overheadGb.toFixed(1)} GB
        </div>
      </div>
      <div className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        <div>
          <div className="text-xs text-muted-foreground">Examples</div>
          <div className="tabular-nums">
            {preflight.numTrainExamples.toLocaleString()} train · {preflight.numEvalExamples.toLocaleString()} eval
          </div>
        </div>
        <div>
          <div className="text-xs text-muted-foreground">{preflight.tokenSource === "exact" ? "Tokens (exact)" : "Tokens (estimate)"}</div>
          <div className="tabular-nums" data-testid="preflight-tokens">
            {preflight.tokenSource === "exact" ? "" : "≈ "}
            {preflight.totalTokens.toLocaleString()}
          </div>
        </div>
        <div>
          <div className="text-xs text-muted-foreground">Steps</div>
          <div className="tabular-nums" data-testid="preflight-steps">
            {preflight.steps.toLocaleString()}
          </div>
        </div>
        <div>
          <div className="text-xs text-muted-foreground">Duration</div>
          <div
            className="tabular-nums"
            title={preflight.durationSource === "measured" ? "From earlier runs on this runner" : "From a default throughput; a first run measures this runner"}
          >
            ≈ {formatDuration(preflight.durationSeconds)}{" "}
            {preflight.durationSource === "default" && <span className="text-xs text-muted-foreground">(default speed)</span>}
          </div>
        </div>
      </div>
      {exact?.train && (
        <p className="text-xs text-muted-foreground" data-testid="preflight-exact">
          Counted by {exact.runName} with {exact.baseModelId}&apos;s tokenizer (dataset version {exact.datasetVersion}, max length{" "}
          {exact.max_seq_length.toLocaleString()}): {describePrepared(exact.train, exact.packing)}.
        </p>
      )}
      <p className={`text-sm ${preflight.leakage.over ? "font-medium text-destructive" : "text-muted-foreground"}`} data-testid="preflight-leakage">
        Eval leakage: {Math.round(preflight.leakage.share * 100)} % ({preflight.leakage.leaked} of {preflight.leakage.eval} eval examples are mostly in train;
        limit {Math.round(preflight.leakage.limit * 100)} %)
        {preflight.leakage.over &&
          ": the eval loss would measure memory. Re-split stratified by source file or remove the near-copies, or give a reason below."}
      </p>
      {preflight.modelInfoMissing && <p className="text-xs text-amber-600">The base model&apos;s size is unknown: look it up above for a real estimate.</p>}
      <ul className="list-disc space-y-0.5 pl-5 text-sm text-muted-foreground">
        {preflight.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </div>
  );
}

function checkpointingHint(choice: Hyperparams["gradient_checkpointing"], preflight: Preflight | null): string {
  if (choice !== "auto") return "Less memory, about a third slower.";
  if (!preflight) return "The preflight turns it on only when the run would not fit without it.";
  return preflight.gradientCheckpointing
    ? "On: the run needs it to fit (less memory, about a third slower)."
    : "Off: the run fits without it, so steps are faster.";
}

/** Runner, preset and hyperparameters; the preflight estimate; launch. */
export function TrainForm({ workspaceId, projectId, runners, presets, canLaunch, settingsHref, runHrefBase, last = null }: Props) {
  const router = useRouter();
  const ready = runners.filter((r) => r.ready);
  const lastRunner = last && runners.some((r) => r.id === last.runnerId) ? last.runnerId : null;
  const lastPreset = last ? presets.find((p) => p.id === last.presetId) : undefined;
  const [runnerId, setRunnerId] = useState(lastRunner ?? ready[0]?.id ?? runners[0]?.id ?? "");
  const [presetId, setPresetId] = useState(lastPreset?.id ?? presets[0]?.id ?? "");
  const preset = presets.find((p) => p.id === presetId) ?? presets[0];
  const [method, setMethod] = useState<"lora" | "qlora">(lastPreset && last ? last.method : (preset?.method ?? "lora"));
  const [params, setParams] = useState<Hyperparams>(lastPreset && last ? { ...lastPreset.config, ...(last.overrides as Partial<Hyperparams>) } : preset.config);
  const [name, setName] = useState("");
  const [preflight, setPreflight] = useState<Preflight | null>(null);
  const estimate = useAction(preflightAction);
  const start = useAction(startTrainingAction);
  const save = useAction(savePresetAction);
  const removePreset = useAction(deletePresetAction);
  const formRef = useRef<HTMLFormElement>(null);

  const choosePreset = (id: string) => {
    const next = presets.find((p) => p.id === id);
    if (!next) return;
    setPresetId(id);
    setMethod(next.method);
    setParams(next.config);
  };

  // Not remembered: training on the CPU is a choice made each time.
  const [allowCpu, setAllowCpu] = useState(false);
  const [leakageOverride, setLeakageOverride] = useState("");
  const run = { runnerId, presetId, method, overrides: params, name: name || undefined, allowCpu, leakageOverride: leakageOverride.trim() || undefined };
  // The reason does not change the estimate: typing it re-runs nothing.
  const key = JSON.stringify({ ...run, leakageOverride: undefined });
  // The estimate follows the form, a moment after the last change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` (the serialized form) is the trigger; the estimate follows the form
  useEffect(() => {
    if (!runnerId) return;
    const timer = setTimeout(() => estimate.run({ projectId, run }, setPreflight), 400);
    return () => clearTimeout(timer);
  }, [key]);

  if (runners.length === 0) {
    return (
      <p className="text-sm text-muted-foreground">
        No GPU runner yet.{" "}
        <a className="underline" href={settingsHref}>
          Add your GPU box in workspace settings
        </a>
        : the app connects over SSH and runs training there.
      </p>
    );
  }

  const fieldErrors = Object.fromEntries(Object.entries(start.fieldErrors).map(([k, v]) => [k.replace(/^run\.(overrides\.)?/, ""), v]));
  return (
    <form
      ref={formRef}
      noValidate
      className="space-y-5"
      onSubmit={(event) => {
        event.preventDefault();
        void start.run({ projectId, run: { ...run, force: preflight?.verdict === "too_big" } }, (started) => {
          toast.success("Training started.");
          router.push(`${runHrefBase}${started.runId}`);
        });
      }}
    >
      <div className="grid items-start gap-4 sm:grid-cols-3">
        <Field label="Runner" htmlFor="t-runner" error={fieldErrors.runnerId}>
          <NativeSelect id="t-runner" value={runnerId} onChange={(e) => setRunnerId(e.target.value)}>
            {runners.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
                {r.freeVramGb !== null ? ` · ${r.freeVramGb.toFixed(0)} GB free` : ""}
                {r.noGpu ? " · no GPU" : ""}
                {r.ready ? "" : " (not usable yet: see workspace settings)"}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field label="Preset" htmlFor="t-preset" hint={preset?.description}>
          <NativeSelect id="t-preset" value={presetId} onChange={(e) => choosePreset(e.target.value)}>
            {presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field
          label="Method"
          htmlFor="t-method"
          hint={method === "qlora" ? "4-bit base model (bitsandbytes, CUDA): about a quarter of the memory." : "16-bit base model."}
        >
          <NativeSelect id="t-method" value={method} onChange={(e) => setMethod(e.target.value as "lora" | "qlora")}>
            <option value="lora">LoRA</option>
            <option value="qlora">QLoRA</option>
          </NativeSelect>
        </Field>
      </div>
      <details className="rounded-md border p-3" open>
        <summary className="cursor-pointer text-sm font-medium">Hyperparameters</summary>
        <div className="mt-3 grid gap-3 sm:grid-cols-3 lg:grid-cols-4">
          {NUMBER_FIELDS.map((f) => (
            <Field key={f.key} label={f.label} htmlFor={`t-${f.key}`} error={fieldErrors[f.key]}>
              <Input
                id={`t-${f.key}`}
                type="number"
                step={f.step ?? "1"}
                value={String(params[f.key])}
                onChange={(e) => setParams((p) => ({ ...p, [f.key]: e.target.value === "" ? p[f.key] : Number(e.target.value) }))}
              />
            </Field>
          ))}
          <Field label="Packing" htmlFor="t-packing" hint="Concatenate short examples into full sequences.">
            <Switch id="t-packing" checked={params.packing} onCheckedChange={(v) => setParams((p) => ({ ...p, packing: v }))} />
          </Field>
          <Field label="Gradient checkpointing" htmlFor="t-gc" hint={checkpointingHint(params.gradient_checkpointing, preflight)}>
            <NativeSelect
              id="t-gc"
              value={String(params.gradient_checkpointing)}
              onChange={(e) => setParams((p) => ({ ...p, gradient_checkpointing: e.target.value === "auto" ? "auto" : e.target.value === "true" }))}
            >
              <option value="auto">Auto</option>
              <option value="true">On</option>
              <option value="false">Off</option>
            </NativeSelect>
          </Field>
          <Field label="Run name" htmlFor="t-name">
            <Input id="t-name" value={name} placeholder="run-…" onChange={(e) => setName(e.target.value)} />
          </Field>
        </div>
      </details>
      {preflight && preflight.runnerGpu !== "present" && (
        <Field
          label="Allow the CPU (tiny models, tests)"
          htmlFor="t-allow-cpu"
          hint={
            preflight.runnerGpu === "none"
              ? "This runner has no NVIDIA GPU. On the CPU only a tiny model trains in reasonable time; without this, the runner refuses."
              : "This runner has not been checked yet. If it turns out to have no GPU, the runner refuses to train unless this is on."
          }
        >
          <Switch id="t-allow-cpu" checked={allowCpu} onCheckedChange={setAllowCpu} />
        </Field>
      )}
      <FormError message={estimate.error?.message} />
      {preflight && <PreflightView preflight={preflight} />}
      {preflight?.leakage.over && (
        <Field
          label="Reason to launch with this leakage"
          htmlFor="t-leakage-override"
          error={fieldErrors.leakageOverride}
          hint="Kept on the run, beside the leakage figure."
        >
          <Input
            id="t-leakage-override"
            value={leakageOverride}
            onChange={(e) => setLeakageOverride(e.target.value)}
            placeholder="e.g. eval questions are rephrasings on purpose"
          />
        </Field>
      )}
      <FormError message={start.error?.message ?? save.error?.message ?? removePreset.error?.message} />
      {canLaunch && (
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={start.pending || !runnerId || Boolean(preflight?.blocker)} data-testid="launch-training">
            <Rocket className="size-4" />{" "}
            {start.pending ? "Starting…" : preflight?.verdict === "too_big" || preflight?.leakage.over ? "Launch anyway" : "Launch training"}
          </Button>
          {preset && !preset.builtIn && (
            <Button
              type="button"
              variant="ghost"
              disabled={removePreset.pending}
              onClick={() => {
                if (window.confirm(`Delete the preset "${preset.name}"? Runs made with it keep their settings.`)) {
                  void removePreset.run({ workspaceId, presetId: preset.id }, () => {
                    choosePreset(presets[0].id);
                    router.refresh();
                  });
                }
              }}
            >
              Delete preset
            </Button>
          )}
          <Button
            type="button"
            variant="outline"
            disabled={save.pending}
            onClick={() => {
              const presetName = window.prompt("Save these settings as a preset named:", preset?.builtIn ? "" : preset?.name);
              if (presetName)
                save.run({ workspaceId, preset: { name: presetName, method, config: params } }, () => {
                  toast.success("Preset saved.");
                  router.refresh();
                });
            }}
          >
            <Save className="size-4" /> Save as preset
          </Button>
        </div>
      )}
    </form>
  );
}
