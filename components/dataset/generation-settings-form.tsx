"use client";

import { RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { saveGenerationSettingsAction } from "@/lib/generation/actions";
import type { GenerationSettings } from "@/lib/generation/settings";

export type ProviderChoice = { id: string; name: string; kind: string; defaultModel: string | null; isDefault: boolean };

type Props = {
  projectId: string;
  taskType: "instruction" | "qa";
  settings: GenerationSettings;
  config: { examples_per_chunk: number; num_examples_target: number; max_seq_length: number; train_eval_split: number };
  providers: ProviderChoice[];
  builtinPrompt: string;
  canEdit: boolean;
  settingsHref: string;
};

const MODE_HINTS: Record<GenerationSettings["mode"], string> = {
  single: "One call per chunk writes its examples with the prompt below.",
  questions_first:
    "The model writes distinct questions (or instructions) per chunk, then answers each on its own: more varied and complete, about one call more per example. The prompt below is for one pass.",
  conversation:
    "One call per chunk writes conversations in which the user follows up on each reply; each conversation is one example. The prompt below is for one pass.",
};

export function GenerationSettingsForm({ projectId, taskType, settings, config, providers, builtinPrompt, canEdit, settingsHref }: Props) {
  const router = useRouter();
  const { run, pending, error, fieldErrors } = useAction(saveGenerationSettingsAction);
  const promptKey = taskType === "qa" ? "prompt_qa" : "prompt_instruction";
  const [prompt, setPrompt] = useState(settings[promptKey] ?? builtinPrompt);
  const fallback = providers.find((p) => p.isDefault) ?? providers[0];
  const [providerId, setProviderId] = useState(settings.provider_id ?? fallback?.id ?? "");
  const provider = providers.find((p) => p.id === providerId);
  const [mode, setMode] = useState<GenerationSettings["mode"]>(settings.mode);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const num = (name: string) => Number(data.get(name));
    await run(
      {
        projectId,
        settings: {
          provider_id: providerId || null,
          model: String(data.get("model") ?? ""),
          temperature: num("temperature"),
          language: String(data.get("language") ?? ""),
          mode,
          ...(mode === "conversation" ? { conversation_turns: num("conversation_turns") } : {}),
          reasoning: data.get("reasoning") === "on",
          train_with_reasoning: data.get("train_with_reasoning") === "on",
          topic_plan: data.get("topic_plan") === "on",
          [promptKey]: prompt === builtinPrompt ? null : prompt,
        },
        config: {
          examples_per_chunk: num("examples_per_chunk"),
          num_examples_target: num("num_examples_target"),
          max_seq_length: num("max_seq_length"),
          train_eval_split: num("train_eval_split"),
        },
      },
      () => {
        toast.success("Generation settings saved.");
        router.refresh();
      },
    );
  }

  if (providers.length === 0) {
    return (
      <p className="text-sm text-muted-foreground">
        No LLM provider is set up in this workspace yet.{" "}
        <a href={settingsHref} className="font-medium text-foreground underline underline-offset-4">
          Add one in the workspace settings
        </a>{" "}
        (Ollama, any OpenAI-compatible server, or Hugging Face Inference).
      </p>
    );
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <FormError message={error && !error.fieldErrors ? error.message : undefined} />
      <fieldset disabled={!canEdit} className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Field label="Provider" htmlFor="gen-provider" error={fieldErrors.provider_id}>
            <NativeSelect id="gen-provider" value={providerId} onChange={(e) => setProviderId(e.target.value)}>
              {providers.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field
            label="Model"
            htmlFor="gen-model"
            error={fieldErrors.model}
            hint={provider?.defaultModel ? `Empty: ${provider.defaultModel}` : "Required: this provider has no default model."}
          >
            <Input
              id="gen-model"
              name="model"
              defaultValue={settings.model}
              placeholder={provider?.defaultModel ? `${provider.defaultModel} (the provider's default)` : "e.g. llama3.1:8b"}
              className="font-mono"
            />
          </Field>
          <Field label="Temperature" htmlFor="gen-temperature" error={fieldErrors.temperature}>
            <Input id="gen-temperature" name="temperature" type="number" step="0.1" min="0" max="2" defaultValue={settings.temperature} />
          </Field>
          <Field label="Language" htmlFor="gen-language" error={fieldErrors.language}>
            <Input id="gen-language" name="language" defaultValue={settings.language} />
          </Field>
          <Field label="Mode" htmlFor="gen-mode" error={fieldErrors.mode} hint={MODE_HINTS[mode]}>
            <NativeSelect id="gen-mode" name="mode" value={mode} onChange={(e) => setMode(e.target.value as GenerationSettings["mode"])}>
              <option value="single">One pass per chunk</option>
              <option value="questions_first">Questions first, then answers</option>
              <option value="conversation">Multi-turn conversations</option>
            </NativeSelect>
          </Field>
          {mode === "conversation" && (
            <Field
              label="Turns per conversation"
              htmlFor="gen-turns"
              error={fieldErrors.conversation_turns}
              hint="Exchanges (a user turn and its reply) in each conversation, 2–8. Each conversation is one example; training learns every reply."
            >
              <Input id="gen-turns" name="conversation_turns" type="number" min="2" max="8" defaultValue={settings.conversation_turns} />
            </Field>
          )}
          <Field
            label="Reasoning"
            htmlFor="gen-reasoning"
            hint="Also ask for the steps from the source to each answer, kept apart from it; exports can put them in a <think> block to train a reasoning model."
          >
            <input id="gen-reasoning" name="reasoning" type="checkbox" defaultChecked={settings.reasoning} className="size-4 accent-primary" />
          </Field>
          <Field
            label="Topic plan"
            htmlFor="gen-topic-plan"
            hint="The model first proposes the topics the chunks cover, labels every example with one (a “topic:” tag) and leans towards topics with fewer examples; Review shows the coverage."
          >
            <input id="gen-topic-plan" name="topic_plan" type="checkbox" defaultChecked={settings.topic_plan} className="size-4 accent-primary" />
          </Field>
          <Field
            label="Train with the reasoning"
            htmlFor="gen-train-reasoning"
            hint="Training runs see each answer's reasoning before it, in a <think> block; off: they learn the answers alone."
          >
            <input
              id="gen-train-reasoning"
              name="train_with_reasoning"
              type="checkbox"
              defaultChecked={settings.train_with_reasoning}
              className="size-4 accent-primary"
            />
          </Field>
          <Field label="Examples per chunk" htmlFor="gen-per-chunk" error={fieldErrors.examples_per_chunk}>
            <Input id="gen-per-chunk" name="examples_per_chunk" type="number" defaultValue={config.examples_per_chunk} />
          </Field>
          <Field label="Target examples" htmlFor="gen-target" error={fieldErrors.num_examples_target}>
            <Input id="gen-target" name="num_examples_target" type="number" defaultValue={config.num_examples_target} />
          </Field>
          <Field label="Max sequence length" htmlFor="gen-max" error={fieldErrors.max_seq_length}>
            <Input id="gen-max" name="max_seq_length" type="number" defaultValue={config.max_seq_length} />
          </Field>
          <Field label="Train share" htmlFor="gen-split" error={fieldErrors.train_eval_split}>
            <Input id="gen-split" name="train_eval_split" type="number" step="0.05" defaultValue={config.train_eval_split} />
          </Field>
        </div>
        <Field
          label={`Prompt (${taskType === "qa" ? "question / answer" : "instruction"})`}
          htmlFor="gen-prompt"
          error={fieldErrors[promptKey]}
          hint="{{chunk}} is replaced by the source text, {{n}} by the examples per chunk, {{language}} and {{section}} by theirs. Every example records which prompt made it."
        >
          <Textarea id="gen-prompt" rows={12} value={prompt} onChange={(e) => setPrompt(e.target.value)} className="font-mono text-xs" />
        </Field>
      </fieldset>
      {canEdit && (
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : "Save settings"}
          </Button>
          {prompt !== builtinPrompt && (
            <Button type="button" variant="outline" onClick={() => setPrompt(builtinPrompt)}>
              <RotateCcw className="size-4" /> Built-in prompt
            </Button>
          )}
        </div>
      )}
    </form>
  );
}
