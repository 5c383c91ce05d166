// Project templates on the real database: a project's settings saved under a name, new projects
// started from a template or from another project's settings (nothing else copied), names unique
// per workspace, and another workspace's templates out of reach.
import { beforeAll, describe, expect, it } from "vitest";
import { requireProject, requireWorkspace } from "@/lib/access/guard";
import { db } from "@/lib/db/client";
import { createProjectFrom, deleteTemplate, listTemplates, saveTemplate } from "@/lib/projects/templates";
import { createTeam, type Team } from "../support/fixtures";

let team: Team;
const config = { chunk_size: 384, chunk_overlap: 32, examples_per_chunk: 4, generation: { model: "llama3.1", mode: "questions_first" } };

beforeAll(async () => {
  team = await createTeam("Templates");
  await db.project.update({ where: { id: team.project.id }, data: { taskType: "qa", baseModelId: "Qwen/Qwen2.5-0.5B-Instruct", config } });
});

describe("project templates", () => {
  it("saves a project's settings under a name unique in the workspace, and starts new projects from it with only those settings", async () => {
    const ctx = await requireProject(team.members.editor, team.project.id, "project.update");
    const template = await saveTemplate(ctx, { name: "Handbook QA" });
    expect(template).toMatchObject({ name: "Handbook QA", taskType: "qa", baseModelId: "Qwen/Qwen2.5-0.5B-Instruct" });
    await expect(saveTemplate(ctx, { name: "Handbook QA" })).rejects.toThrow(/already has that name/);

    const ws = await requireWorkspace(team.members.editor, { id: team.workspace.id }, "project.create");
    expect((await listTemplates(ws)).map((t) => t.name)).toEqual(["Handbook QA"]);
    const fromTemplate = await createProjectFrom(ws, { name: "Second handbook", from: { templateId: template.id } });
    const made = await db.project.findUniqueOrThrow({
      where: { id: fromTemplate.id },
      include: { _count: { select: { files: true, examples: true, runs: true } } },
    });
    expect(made).toMatchObject({ name: "Second handbook", taskType: "qa", baseModelId: "Qwen/Qwen2.5-0.5B-Instruct", config, status: "draft" });
    expect(made._count).toEqual({ files: 0, examples: 0, runs: 0 });

    const fromProject = await createProjectFrom(ws, { name: "Third", from: { projectId: team.project.id } });
    expect((await db.project.findUniqueOrThrow({ where: { id: fromProject.id } })).config).toEqual(config);
  });

  it("another workspace's template or project is not found; deleting a template keeps the projects made from it", async () => {
    const other = await createTeam("Other");
    const outsider = await requireWorkspace(other.members.owner, { id: other.workspace.id }, "project.create");
    const [template] = await listTemplates(await requireWorkspace(team.members.owner, { id: team.workspace.id }, "project.create"));
    await expect(createProjectFrom(outsider, { name: "Stolen", from: { templateId: template.id } })).rejects.toThrow(/Template was not found/);
    await expect(createProjectFrom(outsider, { name: "Stolen", from: { projectId: team.project.id } })).rejects.toThrow(/Project was not found/);
    await expect(deleteTemplate(outsider, template.id)).rejects.toThrow(/not found/);
    const owner = await requireWorkspace(team.members.owner, { id: team.workspace.id }, "project.create");
    await deleteTemplate(owner, template.id);
    expect(await listTemplates(owner)).toEqual([]);
    expect(await db.project.count({ where: { workspaceId: team.workspace.id, name: "Second handbook" } })).toBe(1);
  });
});
