"use client";

import { Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { deleteTemplateAction } from "@/lib/projects/actions";
import type { TemplateView } from "@/lib/projects/templates";

/** The workspace's project templates; each can be deleted (projects made from it keep their settings). */
export function TemplateList({ workspaceId, templates, canDelete }: { workspaceId: string; templates: TemplateView[]; canDelete: boolean }) {
  const router = useRouter();
  const remove = useAction(deleteTemplateAction);
  if (templates.length === 0) {
    return <p className="text-sm text-muted-foreground">None yet. Save one from a project&apos;s settings; new projects can start from it.</p>;
  }
  return (
    <div className="space-y-2">
      <FormError message={remove.error?.message} />
      <Table data-testid="template-list">
        <TableHeader>
          <TableRow>
            <TableHead>Template</TableHead>
            <TableHead>Task</TableHead>
            <TableHead>Base model</TableHead>
            {canDelete && <TableHead className="w-12" />}
          </TableRow>
        </TableHeader>
        <TableBody>
          {templates.map((t) => (
            <TableRow key={t.id}>
              <TableCell className="font-medium">{t.name}</TableCell>
              <TableCell>{t.taskType === "qa" ? "Q&A" : "Instruction"}</TableCell>
              <TableCell className="max-w-48 truncate">{t.baseModelId ?? "–"}</TableCell>
              {canDelete && (
                <TableCell>
                  <Button
                    size="icon"
                    variant="ghost"
                    aria-label={`Delete template ${t.name}`}
                    disabled={remove.pending}
                    onClick={() => void remove.run({ workspaceId, templateId: t.id }, () => router.refresh())}
                  >
                    <Trash2 className="size-4" />
                  </Button>
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
