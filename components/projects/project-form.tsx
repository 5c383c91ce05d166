"use client";

import { useState } from "react";
import { Field } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { formatCost, VISION_PAGE_USAGE, visionOcrEstimate } from "@/lib/llm/cost";
import type { PriceTable } from "@/lib/llm/options";
import { BOOLEAN_CONFIG_KEYS, CHOICE_CONFIG_KEYS, CONFIG_LABELS, DEFAULT_PROJECT_CONFIG, type ProjectConfig, TEXT_CONFIG_KEYS } from "@/lib/projects/config";

export type ProjectFormValues = {
  name: string;
  description: string;
  taskType: "instruction" | "qa";
  baseModelId: string;
  config: ProjectConfig;
};

const CONFIG_KEYS = Object.keys(CONFIG_LABELS) as Array<keyof ProjectConfig>;

/** Reads the form's fields into the shape the project actions take. */
export function readProjectForm(form: HTMLFormElement): ProjectFormValues {
  const data = new FormData(form);
  const config = Object.fromEntries(
    CONFIG_KEYS.map((key) => {
      const raw = String(data.get(`config.${key}`) ?? "").trim();
      // A text setting may be empty on purpose (no OCR); an empty number takes its default.
      if (TEXT_CONFIG_KEYS.has(key) || CHOICE_CONFIG_KEYS[key]) return [key, raw];
      if (BOOLEAN_CONFIG_KEYS.has(key)) return [key, raw === "on"];
      return [key, raw === "" ? DEFAULT_PROJECT_CONFIG[key] : Number(raw)];
    }),
  ) as ProjectConfig;
  return {
    name: String(data.get("name") ?? ""),
    description: String(data.get("description") ?? ""),
    taskType: String(data.get("taskType")) === "qa" ? "qa" : "instruction",
    baseModelId: String(data.get("baseModelId") ?? ""),
    config,
  };
}

/** The OCR field's hint: what the workers can read, and which chosen languages they cannot. */
function ocrHint(help: string, chosen: string, installed: string[] | undefined): string {
  if (!installed) return help;
  if (!installed.length) return `${help} The workers have no Tesseract yet: scans wait until it is installed.`;
  const missing = chosen.split("+").filter((code) => code && !installed.includes(code));
  const have = `The workers read: ${installed.join(", ")}.`;
  return missing.length
    ? `${help} ${have} Not installed: ${missing.join(", ")} (install tesseract-ocr-${missing[0]} on the worker machines).`
    : `${help} ${have}`;
}

/** A workspace LLM provider as the vision OCR choice shows it (no secrets). */
export type OcrProviderChoice = { id: string; name: string; defaultModel: string | null; isDefault: boolean; prices: PriceTable | null };

/** Keys shown only with one OCR engine (the others stay in the form, hidden, so their values are kept). */
const ENGINE_KEYS: Partial<Record<keyof ProjectConfig, ProjectConfig["ocr_engine"]>> = {
  ocr_languages: "tesseract",
  ocr_vision_provider: "vision",
  ocr_vision_model: "vision",
};

/** What reading scans with the chosen vision model costs, before any is read. */
export function visionEstimate(provider: OcrProviderChoice | undefined, model: string): string {
  if (!provider) return "Add an LLM provider in the workspace's settings first: the vision model runs there.";
  const perPage = VISION_PAGE_USAGE.tokensIn + VISION_PAGE_USAGE.tokensOut;
  const name = model || provider.defaultModel || "its default model";
  const hundred = visionOcrEstimate(100, provider.prices);
  const price = provider.prices
    ? `about ${formatCost(hundred.cost)} per 100 pages at ${provider.name}'s prices`
    : `free at ${provider.name} (no prices set: self-hosted)`;
  return `Estimate: ${name} spends about ${perPage.toLocaleString("en-US")} tokens a scanned page, ${price}. Only pages without a text layer are sent; each source shows what it cost.`;
}

export function ProjectFormFields({
  values,
  errors,
  ocrInstalled,
  providers,
}: {
  values?: Partial<ProjectFormValues>;
  errors: Record<string, string>;
  /** The OCR languages the live workers can read, for the OCR field's hint (undefined: unknown). */
  ocrInstalled?: string[];
  /** The workspace's LLM providers, for the vision OCR choice (undefined: only the default is offered). */
  providers?: OcrProviderChoice[];
}) {
  const config = { ...DEFAULT_PROJECT_CONFIG, ...(values?.config ?? {}) };
  const [engine, setEngine] = useState(config.ocr_engine);
  const [providerId, setProviderId] = useState(config.ocr_vision_provider);
  const [model, setModel] = useState(config.ocr_vision_model);
  const chosen = providers?.find((p) => (providerId ? p.id === providerId : p.isDefault));
  const hintFor = (key: keyof ProjectConfig): string => {
    if (key === "ocr_languages") return ocrHint(CONFIG_LABELS[key].help, String(config[key]), ocrInstalled);
    if (key === "ocr_engine" && engine === "vision") return `${CONFIG_LABELS[key].help} ${visionEstimate(chosen, model)}`;
    return CONFIG_LABELS[key].help;
  };
  return (
    <div className="space-y-4">
      <Field label="Name" htmlFor="project-name" error={errors.name}>
        <Input id="project-name" name="name" defaultValue={values?.name} placeholder="Support handbook assistant" />
      </Field>
      <Field label="Description" htmlFor="project-description" error={errors.description}>
        <Textarea id="project-description" name="description" rows={2} defaultValue={values?.description} placeholder="What should the model learn?" />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Task type" htmlFor="project-task" error={errors.taskType} hint="Instruction: instruction/input/output. Q&A: question/answer.">
          <NativeSelect id="project-task" name="taskType" defaultValue={values?.taskType ?? "instruction"}>
            <option value="instruction">Instruction</option>
            <option value="qa">Q&amp;A</option>
          </NativeSelect>
        </Field>
        <Field
          label="Base model"
          htmlFor="project-model"
          error={errors.baseModelId}
          hint="A Hugging Face model id, or the absolute path of a model folder on the GPU box (no Hub access there); you can set it later."
        >
          <Input id="project-model" name="baseModelId" defaultValue={values?.baseModelId} placeholder="meta-llama/Llama-3.1-8B" className="font-mono" />
        </Field>
      </div>
      <details className="rounded-lg border p-3 [&_summary]:cursor-pointer" open={CONFIG_KEYS.some((k) => errors[`config.${k}`])}>
        <summary className="text-sm font-medium">Dataset, chunking and OCR settings</summary>
        <div className="mt-3 grid gap-4 sm:grid-cols-2">
          {CONFIG_KEYS.map((key) => (
            <Field
              key={key}
              label={CONFIG_LABELS[key].label}
              htmlFor={`config-${key}`}
              error={errors[`config.${key}`]}
              hint={hintFor(key)}
              className={ENGINE_KEYS[key] && ENGINE_KEYS[key] !== engine && !errors[`config.${key}`] ? "hidden" : undefined}
            >
              {key === "ocr_vision_provider" ? (
                <NativeSelect
                  id="config-ocr_vision_provider"
                  name="config.ocr_vision_provider"
                  value={providerId}
                  onChange={(e) => setProviderId(e.target.value)}
                >
                  <option value="">The workspace's default{providers?.find((p) => p.isDefault) ? ` (${providers.find((p) => p.isDefault)!.name})` : ""}</option>
                  {providers?.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                  {providerId && !providers?.some((p) => p.id === providerId) && <option value={providerId}>A provider not in this workspace</option>}
                </NativeSelect>
              ) : key === "ocr_vision_model" ? (
                <Input
                  id="config-ocr_vision_model"
                  name="config.ocr_vision_model"
                  value={model}
                  onChange={(e) => setModel(e.target.value)}
                  placeholder={chosen?.defaultModel ?? "gpt-4o-mini"}
                  className="font-mono"
                />
              ) : BOOLEAN_CONFIG_KEYS.has(key) ? (
                <input id={`config-${key}`} name={`config.${key}`} type="checkbox" defaultChecked={Boolean(config[key])} className="size-4 accent-primary" />
              ) : CHOICE_CONFIG_KEYS[key] ? (
                <NativeSelect
                  id={`config-${key}`}
                  name={`config.${key}`}
                  // The engine shows or hides its own fields as it changes.
                  {...(key === "ocr_engine"
                    ? { value: engine, onChange: (e: React.ChangeEvent<HTMLSelectElement>) => setEngine(e.target.value as ProjectConfig["ocr_engine"]) }
                    : { defaultValue: String(config[key]) })}
                >
                  {CHOICE_CONFIG_KEYS[key].map((choice) => (
                    <option key={choice.value} value={choice.value}>
                      {choice.label}
                    </option>
                  ))}
                </NativeSelect>
              ) : TEXT_CONFIG_KEYS.has(key) ? (
                <Input id={`config-${key}`} name={`config.${key}`} defaultValue={String(config[key])} className="font-mono" />
              ) : (
                <Input id={`config-${key}`} name={`config.${key}`} type="number" step="any" defaultValue={String(config[key])} />
              )}
            </Field>
          ))}
        </div>
      </details>
    </div>
  );
}
