"use client";

import { useState } from "react";
import { Field } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import type { ProviderInput } from "@/lib/llm/providers";

type HfProvider = NonNullable<ProviderInput["options"]>["hfProvider"];

export type ProviderFormValue = {
  name: string;
  kind: "ollama" | "openai" | "huggingface";
  baseUrl: string;
  defaultModel: string;
  apiKey: string;
  options: {
    concurrency: number;
    requestsPerMinute: number;
    timeoutMs: number;
    prices: { inputPer1M: number; outputPer1M: number } | null;
    hfProvider?: HfProvider;
  };
};

const BASE_URL_HINT = {
  ollama: "e.g. http://127.0.0.1:11434",
  openai: "Include /v1: https://api.openai.com/v1, http://gpu-box:8000/v1 (vLLM), https://openrouter.ai/api/v1",
  huggingface: "Empty for Hugging Face's router; or your Inference Endpoint's URL",
};

export function readProviderForm(form: HTMLFormElement): ProviderFormValue {
  const d = new FormData(form);
  const text = (k: string) => String(d.get(k) ?? "").trim();
  const num = (k: string, fallback: number) => (text(k) === "" ? fallback : Number(text(k)));
  const priced = text("priceIn") !== "" || text("priceOut") !== "";
  return {
    name: text("name"),
    kind: text("kind") as ProviderFormValue["kind"],
    baseUrl: text("baseUrl"),
    defaultModel: text("defaultModel"),
    apiKey: text("apiKey"),
    options: {
      concurrency: num("concurrency", 4),
      requestsPerMinute: num("requestsPerMinute", 0),
      timeoutMs: num("timeoutS", 120) * 1000,
      prices: priced ? { inputPer1M: num("priceIn", 0), outputPer1M: num("priceOut", 0) } : null,
      // The server checks the name against Hugging Face's list.
      ...(text("hfProvider") ? { hfProvider: text("hfProvider") as HfProvider } : {}),
    },
  };
}

type Initial = Partial<Omit<ProviderFormValue, "apiKey">> & { apiKeyHint?: string | null };

export function ProviderFields({ initial, errors }: { initial?: Initial; errors: Record<string, string> }) {
  const [kind, setKind] = useState<ProviderFormValue["kind"]>(initial?.kind ?? "ollama");
  const o = initial?.options;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field label="Name" htmlFor="p-name" error={errors.name}>
        <Input id="p-name" name="name" defaultValue={initial?.name} placeholder="GPU box vLLM" />
      </Field>
      <Field label="Kind" htmlFor="p-kind" error={errors.kind}>
        <NativeSelect id="p-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as ProviderFormValue["kind"])}>
          <option value="ollama">Ollama</option>
          <option value="openai">OpenAI-compatible</option>
          <option value="huggingface">Hugging Face Inference</option>
        </NativeSelect>
      </Field>
      <Field label="Base URL" htmlFor="p-url" error={errors.baseUrl} hint={BASE_URL_HINT[kind]}>
        <Input id="p-url" name="baseUrl" defaultValue={initial?.baseUrl ?? ""} className="font-mono" />
      </Field>
      <Field label="Default model" htmlFor="p-model" error={errors.defaultModel}>
        <Input
          id="p-model"
          name="defaultModel"
          defaultValue={initial?.defaultModel ?? ""}
          placeholder={kind === "ollama" ? "llama3.1:8b" : kind === "openai" ? "gpt-4o-mini" : "meta-llama/Llama-3.1-8B-Instruct"}
          className="font-mono"
        />
      </Field>
      <Field
        label={kind === "huggingface" ? "Hugging Face token" : "API key"}
        htmlFor="p-key"
        error={errors.apiKey}
        hint={
          initial?.apiKeyHint
            ? `Stored (${initial.apiKeyHint}). Leave empty to keep it; a new base URL or kind needs it entered again.`
            : "Stored encrypted; it is never shown again."
        }
      >
        <Input id="p-key" name="apiKey" type="password" autoComplete="off" placeholder={initial?.apiKeyHint ? "•••••••• (unchanged)" : ""} />
      </Field>
      {kind === "huggingface" && (
        <Field label="Inference provider" htmlFor="p-hf" error={errors["options.hfProvider"]} hint="e.g. hf-inference, together, fireworks-ai; empty = auto">
          <Input id="p-hf" name="hfProvider" defaultValue={o?.hfProvider ?? ""} />
        </Field>
      )}
      <Field
        label="Calls at once"
        htmlFor="p-conc"
        error={errors["options.concurrency"]}
        hint="For the endpoint as a whole: every job calling this URL (with this key) shares them fairly"
      >
        <Input id="p-conc" name="concurrency" type="number" defaultValue={o?.concurrency ?? 4} />
      </Field>
      <Field label="Requests per minute" htmlFor="p-rpm" error={errors["options.requestsPerMinute"]} hint="0 = no limit">
        <Input id="p-rpm" name="requestsPerMinute" type="number" defaultValue={o?.requestsPerMinute ?? 0} />
      </Field>
      <Field label="Timeout (seconds)" htmlFor="p-timeout" error={errors["options.timeoutMs"]}>
        <Input id="p-timeout" name="timeoutS" type="number" defaultValue={(o?.timeoutMs ?? 120_000) / 1000} />
      </Field>
      <Field label="Price per 1M input tokens (USD)" htmlFor="p-pin" error={errors["options.prices.inputPer1M"]} hint="Empty for free or self-hosted">
        <Input id="p-pin" name="priceIn" type="number" step="0.01" defaultValue={o?.prices?.inputPer1M ?? ""} />
      </Field>
      <Field label="Price per 1M output tokens (USD)" htmlFor="p-pout" error={errors["options.prices.outputPer1M"]}>
        <Input id="p-pout" name="priceOut" type="number" step="0.01" defaultValue={o?.prices?.outputPer1M ?? ""} />
      </Field>
    </div>
  );
}
