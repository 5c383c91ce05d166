"use client";

import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { acceptInvitationAction } from "@/lib/workspaces/actions";

export function AcceptInvitation({ token, workspaceName }: { token: string; workspaceName: string }) {
  const router = useRouter();
  const { run, pending, error } = useAction(acceptInvitationAction);
  return (
    <div className="space-y-3">
      <FormError message={error?.message} />
      <Button className="w-full" disabled={pending} onClick={() => run({ token }, (data) => router.replace(`/w/${data.workspaceSlug}`))}>
        {pending ? "Joining…" : `Join ${workspaceName}`}
      </Button>
    </div>
  );
}
