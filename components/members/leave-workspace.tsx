"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/forms/confirm-button";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { leaveWorkspaceAction } from "@/lib/workspaces/actions";

export function LeaveWorkspace({ workspaceId, workspaceName }: { workspaceId: string; workspaceName: string }) {
  const router = useRouter();
  const { run, pending, error } = useAction(leaveWorkspaceAction);
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 rounded-xl border border-destructive/30 p-4">
      <div>
        <div className="font-medium">Leave this workspace</div>
        <p className="text-sm text-muted-foreground">You lose access to its projects. An admin can invite you again.</p>
        <FormError message={error?.message} />
      </div>
      <ConfirmButton
        title={`Leave ${workspaceName}?`}
        description="You will no longer see its projects, runs and exports."
        confirmLabel="Leave"
        onConfirm={() =>
          run({ workspaceId }, () => {
            router.replace("/");
            router.refresh();
          })
        }
      >
        <Button variant="outline" disabled={pending}>
          Leave workspace
        </Button>
      </ConfirmButton>
    </div>
  );
}
