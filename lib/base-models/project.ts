// The project's base model as the Hub describes it (`Project.modelInfo`), fetched on demand and
// kept on the Project row; changing the base model clears it (lib/projects).
import type { Prisma } from "@prisma/client";
import type { ProjectContext } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { invalidInput } from "@/lib/errors";
import { isLocalModelDir } from "@/lib/projects";
import { HF_TOKEN, readSecret } from "@/lib/secrets";
import { type ModelInfo, resolveModelInfo } from "./info";

export async function refreshModelInfo(ctx: ProjectContext): Promise<ModelInfo> {
  const project = await db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { baseModelId: true } });
  if (!project.baseModelId) throw invalidInput("Set the project's base model first, e.g. Qwen/Qwen2.5-0.5B-Instruct.");
  if (isLocalModelDir(project.baseModelId)) {
    throw invalidInput(
      `${project.baseModelId} is a model folder on the GPU box, which the Hub does not know; training reads it there. The preflight estimates without its size.`,
    );
  }
  const info = await resolveModelInfo(project.baseModelId, { token: await readSecret(ctx.workspace.id, HF_TOKEN) });
  await db.project.update({ where: { id: ctx.projectId }, data: { modelInfo: info as unknown as Prisma.InputJsonValue } });
  return info;
}
