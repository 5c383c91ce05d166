"use client";

import { Star, X } from "lucide-react";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";

/** Five stars; choosing the current rating again clears it. */
export function RatingStars({ value, onChange, disabled }: { value: number | null; onChange(rating: number | null): void; disabled?: boolean }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset
    <div className="flex items-center gap-0.5" role="group" aria-label="Rating">
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          disabled={disabled}
          aria-label={`Rate ${n} of 5`}
          aria-pressed={value === n}
          onClick={() => onChange(value === n ? null : n)}
          className="rounded p-0.5 text-muted-foreground hover:text-amber-500 disabled:pointer-events-none"
        >
          <Star className={cn("size-4", value !== null && n <= value && "fill-amber-400 text-amber-500")} />
        </button>
      ))}
    </div>
  );
}

/** Normalises a tag as the server does: trimmed, inner spaces collapsed. */
export const normaliseTag = (tag: string) => tag.trim().replace(/\s+/g, " ");

/** The example's tags with a remove button each, and a field that adds one on Enter. */
export function TagEditor({
  tags,
  suggestions,
  onAdd,
  onRemove,
  disabled,
}: {
  tags: string[];
  suggestions: string[];
  onAdd(tag: string): void;
  onRemove(tag: string): void;
  disabled?: boolean;
}) {
  const [text, setText] = useState("");
  return (
    <div className="flex flex-wrap items-center gap-1.5" data-testid="tag-editor">
      {tags.map((tag) => (
        <Badge key={tag} variant="secondary" className="gap-1">
          {tag}
          {!disabled && (
            <button type="button" aria-label={`Remove tag ${tag}`} onClick={() => onRemove(tag)} className="rounded-full hover:text-destructive">
              <X className="size-3" />
            </button>
          )}
        </Badge>
      ))}
      {!disabled && (
        <>
          <Input
            aria-label="Add a tag"
            placeholder="Add a tag…"
            list="example-tag-suggestions"
            maxLength={40}
            className="h-7 w-36 text-xs"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key !== "Enter") return;
              e.preventDefault();
              const tag = normaliseTag(text);
              if (tag && !tags.includes(tag)) onAdd(tag);
              setText("");
            }}
          />
          <datalist id="example-tag-suggestions">
            {suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </>
      )}
    </div>
  );
}
