// The project overview: where the project stands in the pipeline, step by step.
import type { ProjectContext } from "@/lib/access/guard";
import { USABLE_EXAMPLE } from "@/lib/datasets/example";
import { db } from "@/lib/db/client";

export type StepState = "done" | "active" | "todo";

export type PipelineStep = {
  key: "sources" | "dataset" | "train" | "evaluate" | "export";
  title: string;
  state: StepState;
  summary: string;
  next: string;
};

function plural(n: number, word: string): string {
  return `${n.toLocaleString()} ${word}${n === 1 ? "" : "s"}`;
}

export async function getPipeline(ctx: ProjectContext): Promise<PipelineStep[]> {
  const where = { projectId: ctx.projectId, project: { workspaceId: ctx.workspace.id } };
  const [sources, chunks, examples, validTrain, validEval, runs, doneRuns, evaluated, exports, project] = await Promise.all([
    db.file.count({ where: { ...where, kind: { in: ["raw_doc", "dataset_upload"] }, status: "ready" } }),
    db.chunk.count({ where }),
    // The dataset is train and eval; preview examples are a sample, not part of it.
    db.datasetExample.count({ where: { ...where, split: { in: ["train", "eval"] } } }),
    db.datasetExample.count({ where: { ...where, ...USABLE_EXAMPLE, split: "train" } }),
    db.datasetExample.count({ where: { ...where, ...USABLE_EXAMPLE, split: "eval" } }),
    db.run.count({ where }),
    db.run.count({ where: { ...where, status: "success" } }),
    db.evalSample.count({ where: { run: where } }),
    // The Export step is about the model: a bundle or a Hub push, not a dataset file.
    db.export.count({ where: { ...where, status: "success", format: { in: ["bundle", "hub"] } } }),
    db.project.findFirstOrThrow({ where: { id: ctx.projectId, workspaceId: ctx.workspace.id }, select: { status: true } }),
  ]);
  const busy = (statuses: string[]) => statuses.includes(project.status);
  const state = (done: boolean, active: boolean): StepState => (active ? "active" : done ? "done" : "todo");
  return [
    {
      key: "sources",
      title: "Sources",
      state: state(sources > 0, busy(["uploading", "chunking"])),
      summary: sources ? `${plural(sources, "source")}, ${plural(chunks, "chunk")}` : "No sources yet",
      next: "Upload PDFs, Word files, text, web pages, or an existing dataset.",
    },
    {
      key: "dataset",
      title: "Dataset",
      state: state(validTrain > 0, busy(["generating"])),
      summary: examples
        ? `${plural(validTrain, "usable train example")} and ${validEval.toLocaleString()} eval, of ${examples.toLocaleString()}`
        : "No examples yet",
      next: "Preview 10 generated examples, then generate, review and curate the dataset.",
    },
    {
      key: "train",
      title: "Train",
      state: state(doneRuns > 0, busy(["training"])),
      summary: runs ? `${plural(doneRuns, "finished run")} of ${runs}` : "No runs yet",
      next: "Fine-tune the base model with LoRA or QLoRA on your GPU box.",
    },
    {
      key: "evaluate",
      title: "Evaluate",
      state: state(evaluated > 0, busy(["evaluating"])),
      summary: evaluated ? `${plural(evaluated, "evaluated sample")}` : "Nothing evaluated yet",
      next: "Compare the tuned model with the base model and between runs.",
    },
    {
      key: "export",
      title: "Export",
      state: state(exports > 0, false),
      summary: exports ? plural(exports, "model export") : "No model exported yet",
      next: "Download the adapter bundle with a model card and an Ollama Modelfile, or push to the Hub.",
    },
  ];
}
