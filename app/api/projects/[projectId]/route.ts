import { projectRoute } from "@/lib/access/action";
import { getProject } from "@/lib/projects";

export const dynamic = "force-dynamic";

/** One project: its name, task, base model, status and settings. */
export const GET = projectRoute("getProject", "project.view", async (ctx) => {
  const project = await getProject(ctx, ctx.projectId);
  return Response.json({
    project: {
      id: project.id,
      name: project.name,
      description: project.description,
      taskType: project.taskType,
      baseModelId: project.baseModelId,
      status: project.status,
      config: project.config,
      createdAt: project.createdAt,
      updatedAt: project.updatedAt,
    },
  });
});
