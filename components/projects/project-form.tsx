"use client";

import { Field } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
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

export function ProjectFormFields({
  values,
  errors,
  ocrInstalled,
}: {
  values?: Partial<ProjectFormValues>;
  errors: Record<string, string>;
  /** The OCR languages the live workers can read, for the OCR field's hint (undefined: unknown). */
  ocrInstalled?: string[];
}) {
  const config = { ...DEFAULT_PROJECT_CONFIG, ...(values?.config ?? {}) };
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
              hint={key === "ocr_languages" ? ocrHint(CONFIG_LABELS[key].help, String(config[key]), ocrInstalled) : CONFIG_LABELS[key].help}
            >
              {BOOLEAN_CONFIG_KEYS.has(key) ? (
                <input id={`config-${key}`} name={`config.${key}`} type="checkbox" defaultChecked={Boolean(config[key])} className="size-4 accent-primary" />
              ) : CHOICE_CONFIG_KEYS[key] ? (
                <NativeSelect id={`config-${key}`} name={`config.${key}`} defaultValue={String(config[key])}>
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
