// Everything a generation job needs about its project: settings, provider, model, prompt.
import type { LlmProvider, TaskType } from "@prisma/client";
import { db } from "@/lib/db/client";
import { NonRetryableError } from "@/lib/jobs/definition";
import { type ProviderOptions, providerOptions } from "@/lib/llm";
import { type ProjectConfig, readProjectConfig } from "@/lib/projects/config";
import { builtinPrompt, promptVersion } from "./prompts";
import { type GenerationSettings, readGenerationSettings } from "./settings";

export type GenerationContext = {
  projectId: string;
  workspaceId: string;
  taskType: TaskType;
  config: ProjectConfig;
  settings: GenerationSettings;
  provider: LlmProvider;
  options: ProviderOptions;
  prices: ProviderOptions["prices"];
  model: string;
  template: string;
  promptVersion: string;
};

/** The provider a project generates with: its chosen one, else the workspace's default. */
export async function projectProvider(workspaceId: string, providerId: string | null): Promise<LlmProvider | null> {
  if (providerId) {
    const chosen = await db.llmProvider.findFirst({ where: { id: providerId, workspaceId } });
    if (chosen) return chosen;
  }
  return db.llmProvider.findFirst({ where: { workspaceId }, orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }] });
}

export async function loadGenerationContext(projectId: string): Promise<GenerationContext> {
  const project = await db.project.findUniqueOrThrow({ where: { id: projectId } });
  const settings = readGenerationSettings(project.config);
  const provider = await projectProvider(project.workspaceId, settings.provider_id);
  if (!provider) throw new NonRetryableError("No LLM provider is set up. Add one in the workspace settings, then choose it in the Dataset step.");
  const model = settings.model || provider.defaultModel || "";
  if (!model) throw new NonRetryableError(`Choose a model for ${provider.name} in the Dataset step.`);
  const custom = project.taskType === "qa" ? settings.prompt_qa : settings.prompt_instruction;
  const options = providerOptions(provider);
  return {
    projectId,
    workspaceId: project.workspaceId,
    taskType: project.taskType,
    config: readProjectConfig(project.config),
    settings,
    provider,
    options,
    prices: options.prices,
    model,
    template: custom ?? builtinPrompt(project.taskType),
    promptVersion: settings.mode === "single" ? promptVersion(project.taskType, custom) : `${settings.mode.replace("_", "-")}-${project.taskType}-v1`,
  };
}
