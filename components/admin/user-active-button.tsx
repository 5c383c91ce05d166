"use client";

import { useRouter } from "next/navigation";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import { setUserActiveAction } from "@/lib/admin/actions";

/** Deactivates (signing the account out everywhere) or reactivates an account. */
export function UserActiveButton({ userId, email, active, self }: { userId: string; email: string; active: boolean; self: boolean }) {
  const router = useRouter();
  const set = useAction(setUserActiveAction);
  if (self) return <span className="text-xs text-muted-foreground">you</span>;
  return (
    <div className="space-y-1">
      <Button
        size="sm"
        variant={active ? "outline" : "secondary"}
        disabled={set.pending}
        aria-label={`${active ? "Deactivate" : "Reactivate"} ${email}`}
        onClick={() =>
          void set.run({ userId, active: !active }, () => {
            toast.success(active ? `${email} is deactivated and signed out everywhere.` : `${email} can sign in again.`);
            router.refresh();
          })
        }
      >
        {active ? "Deactivate" : "Reactivate"}
      </Button>
      {set.error && <p className="text-xs text-destructive">{set.error.message}</p>}
    </div>
  );
}
