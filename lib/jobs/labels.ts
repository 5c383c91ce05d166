import type { JobType } from "@prisma/client";

export const JOB_LABELS: Record<JobType, string> = {
  chunking: "Chunking",
  import: "Dataset import",
  dataset_preview: "Preview",
  dataset_generate: "Generation",
  dataset_judge: "Example scoring",
  dataset_merge: "Dataset merge",
  hub_dataset_download: "Hub dataset download",
  upload_check: "Upload check",
  test_set_generate: "Test set questions",
  test_set_answer: "Test set answers",
  project_clone: "Project copy",
  train: "Training",
  eval: "Evaluation",
  model_merge: "Model merge",
  export: "Export",
  run_cleanup: "Remote clean-up",
  diagnostic: "Diagnostic",
};
