"use client";

import { Combine, Pencil, Scissors } from "lucide-react";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/form";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { editChunkAction, mergeChunkAction, splitChunkAction } from "@/lib/sources/actions";

type Props = { projectId: string; chunk: { id: string; chunkIndex: number; content: string }; isLast: boolean; canEdit: boolean };

/** A chunk's text; for editors, edit it, split it at the cursor, or merge it with the next one. */
export function ChunkText({ projectId, chunk, isLast, canEdit }: Props) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(chunk.content);
  const area = useRef<HTMLTextAreaElement>(null);
  const edit = useAction(editChunkAction);
  const merge = useAction(mergeChunkAction);
  const split = useAction(splitChunkAction);
  const busy = edit.pending || merge.pending || split.pending;
  const n = chunk.chunkIndex + 1;
  const done = (message: string) => {
    toast.success(message);
    setEditing(false);
    router.refresh();
  };

  if (editing) {
    const unchanged = draft === chunk.content;
    return (
      <div className="space-y-2" data-testid="chunk-editor">
        <Textarea
          ref={area}
          aria-label={`Text of chunk ${n}`}
          rows={12}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          className="font-mono text-xs"
        />
        <FormError message={edit.error?.message ?? split.error?.message} />
        <div className="flex flex-wrap items-center gap-2">
          <Button
            size="sm"
            disabled={busy || unchanged}
            onClick={() => edit.run({ projectId, chunkId: chunk.id, content: draft }, () => done(`Chunk ${n} saved.`))}
          >
            Save
          </Button>
          <Button
            size="sm"
            variant="outline"
            disabled={busy || !unchanged}
            title={unchanged ? "Splits where the cursor is" : "Save or undo your edit first"}
            onClick={() => {
              const at = area.current?.selectionStart ?? 0;
              void split.run({ projectId, chunkId: chunk.id, at }, () => done(`Chunk ${n} split in two.`));
            }}
          >
            <Scissors className="size-3" /> Split at cursor
          </Button>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setDraft(chunk.content);
              setEditing(false);
            }}
          >
            Cancel
          </Button>
          <span className="text-xs text-muted-foreground">Examples made from the old text keep it. Re-chunking the source replaces edits.</span>
        </div>
      </div>
    );
  }

  const long = chunk.content.length > 500 || chunk.content.split("\n").length > 6;
  return (
    <div className="space-y-2">
      {long ? (
        // Long chunks open in place: six lines, then the whole text.
        <details className="group">
          <summary className="cursor-pointer list-none [&::-webkit-details-marker]:hidden">
            <p className="line-clamp-6 whitespace-pre-wrap text-sm group-open:line-clamp-none">{chunk.content}</p>
            <span className="text-xs font-medium text-primary group-open:hidden">Show the whole chunk</span>
            <span className="hidden text-xs font-medium text-primary group-open:inline">Show less</span>
          </summary>
        </details>
      ) : (
        <p className="whitespace-pre-wrap text-sm">{chunk.content}</p>
      )}
      {canEdit && (
        <div className="flex flex-wrap gap-1">
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Edit chunk ${n}`}
            onClick={() => {
              setDraft(chunk.content);
              setEditing(true);
            }}
          >
            <Pencil className="size-3" /> Edit or split
          </Button>
          {!isLast && (
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Merge chunk ${n} with the next`}
              disabled={busy}
              onClick={() => merge.run({ projectId, chunkId: chunk.id }, () => done(`Chunks ${n} and ${n + 1} merged.`))}
            >
              <Combine className="size-3" /> Merge with next
            </Button>
          )}
          <FormError message={merge.error?.message} />
        </div>
      )}
    </div>
  );
}
