import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";

const LABELS: Record<string, string> = {
  draft: "Draft",
  uploading: "Uploading",
  chunking: "Chunking",
  generating: "Generating",
  ready_to_train: "Ready to train",
  training: "Training",
  evaluating: "Evaluating",
  completed: "Completed",
  failed: "Failed",
};

const TONE: Record<string, "secondary" | "warning" | "success" | "destructive" | "default"> = {
  draft: "secondary",
  uploading: "warning",
  chunking: "warning",
  generating: "warning",
  ready_to_train: "default",
  training: "warning",
  evaluating: "warning",
  completed: "success",
  failed: "destructive",
};

const DOT: Record<string, string> = {
  secondary: "bg-muted-foreground/40",
  warning: "bg-warning animate-pulse",
  success: "bg-success",
  destructive: "bg-destructive",
  default: "bg-primary",
};

export function projectStatusLabel(status: string): string {
  return LABELS[status] ?? status;
}

export function ProjectStatusBadge({ status }: { status: string }) {
  return <Badge variant={TONE[status] ?? "secondary"}>{projectStatusLabel(status)}</Badge>;
}

export function ProjectStatusDot({ status }: { status: string }) {
  return <span title={projectStatusLabel(status)} className={cn("size-2 shrink-0 rounded-full", DOT[TONE[status] ?? "secondary"])} />;
}
