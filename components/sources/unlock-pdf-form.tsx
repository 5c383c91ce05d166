"use client";

import { KeyRound } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import { unlockPdfAction } from "@/lib/sources/actions";

/** The password of an encrypted PDF source; the server keeps it sealed and reads the PDF again. */
export function UnlockPdfForm({ projectId, fileId, filename }: { projectId: string; fileId: string; filename: string }) {
  const router = useRouter();
  const [password, setPassword] = useState("");
  const unlock = useAction(unlockPdfAction);
  return (
    <form
      className="mt-1 flex flex-wrap items-center gap-2"
      data-testid="unlock-pdf"
      onSubmit={(e) => {
        e.preventDefault();
        unlock.run({ projectId, fileId, password }, () => {
          setPassword("");
          toast.success("Reading the PDF with its password.");
          router.refresh();
        });
      }}
    >
      <Input
        type="password"
        autoComplete="off"
        aria-label={`Password for ${filename}`}
        placeholder="PDF password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        className="h-8 w-44"
      />
      <Button type="submit" size="sm" variant="outline" disabled={!password || unlock.pending}>
        <KeyRound className="size-3" /> {unlock.pending ? "Unlocking…" : "Unlock"}
      </Button>
      {unlock.error && <span className="text-xs text-destructive">{unlock.error.message}</span>}
    </form>
  );
}
