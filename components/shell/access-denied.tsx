import { Lock } from "lucide-react";
import { EmptyState } from "@/components/ui/empty-state";

export function AccessDenied({ what }: { what: string }) {
  return (
    <EmptyState
      icon={Lock}
      title="You don't have access"
      description={`Your role in this workspace does not allow ${what}. Ask an owner or admin if you need it.`}
    />
  );
}
