import { ArrowRight, CheckCircle2, Circle, Loader2 } from "lucide-react";
import Link from "next/link";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { projectPageContext } from "@/lib/access/page";
import { getPipeline, type StepState } from "@/lib/projects/overview";

const ICONS: Record<StepState, typeof Circle> = { done: CheckCircle2, active: Loader2, todo: Circle };

export default async function ProjectOverview({ params }: { params: Promise<{ workspace: string; project: string }> }) {
  const { workspace, project: projectId } = await params;
  const ctx = await projectPageContext(workspace, projectId);
  const steps = await getPipeline(ctx);
  const nextStep = steps.find((s) => s.state !== "done") ?? steps[steps.length - 1];
  const base = `/w/${workspace}/p/${ctx.project.id}`;

  return (
    <div className="space-y-6">
      {ctx.project.description && <p className="max-w-3xl text-muted-foreground">{ctx.project.description}</p>}
      <ol className="grid gap-4 md:grid-cols-5" aria-label="Pipeline">
        {steps.map((step, index) => {
          const Icon = ICONS[step.state];
          return (
            <li key={step.key}>
              <Link href={`${base}/${step.key}`} className="group block h-full">
                <Card className={cn("h-full transition-shadow group-hover:shadow-md", step === nextStep && "border-primary/60 ring-1 ring-primary/30")}>
                  <CardHeader>
                    <div className="flex items-center gap-2 text-xs font-medium uppercase tracking-wide text-muted-foreground">
                      <span>Step {index + 1}</span>
                      <Icon
                        aria-label={step.state}
                        className={cn("ml-auto size-4", step.state === "done" && "text-success", step.state === "active" && "animate-spin text-warning")}
                      />
                    </div>
                    <CardTitle className="text-base">{step.title}</CardTitle>
                    <CardDescription>{step.summary}</CardDescription>
                  </CardHeader>
                  <CardContent className="text-sm text-muted-foreground">
                    {step === nextStep && (
                      <p className="flex items-start gap-1 text-foreground">
                        <ArrowRight className="mt-0.5 size-4 shrink-0 text-primary" /> {step.next}
                      </p>
                    )}
                  </CardContent>
                </Card>
              </Link>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
