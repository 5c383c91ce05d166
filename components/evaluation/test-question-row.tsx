"use client";

import { Check, Pencil, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { TableCell, TableRow } from "@/components/ui/table";
import { Textarea } from "@/components/ui/textarea";
import { reviewTestQuestionAction, updateTestQuestionAction } from "@/lib/evaluation/test-sets/actions";

export type QuestionView = {
  id: string;
  type: "true_false" | "multiple_choice" | "short_answer" | "open_answer";
  typeLabel: string;
  question: string;
  options: string[];
  answer: string;
  accepted: string[];
  rubric: string | null;
  reviewStatus: "pending" | "approved" | "rejected";
  leaked: boolean;
  source: string | null;
};

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** One question: what it asks and expects, where it came from; approve, reject or edit it. */
export function TestQuestionRow({ projectId, q, canEdit }: { projectId: string; q: QuestionView; canEdit: boolean }) {
  const router = useRouter();
  const review = useAction(reviewTestQuestionAction);
  const save = useAction(updateTestQuestionAction);
  const [editing, setEditing] = useState(false);
  const setStatus = (status: QuestionView["reviewStatus"]) => review.run({ projectId, questionId: q.id, status }, () => router.refresh());
  return (
    <TableRow data-testid="test-question" data-review={q.reviewStatus}>
      <TableCell className="align-top">
        <Badge variant="outline">{q.typeLabel}</Badge>
        {q.leaked && (
          <Badge variant="warning" className="mt-1" title="Its words are in a training example: left out of the scores.">
            in training data
          </Badge>
        )}
      </TableCell>
      <TableCell className="max-w-0 align-top">
        {editing ? (
          <form
            className="space-y-2"
            onSubmit={(event) => {
              event.preventDefault();
              const data = new FormData(event.currentTarget);
              void save.run(
                {
                  projectId,
                  questionId: q.id,
                  question: String(data.get("question") ?? ""),
                  answer: String(data.get("answer") ?? ""),
                  options: lines(String(data.get("options") ?? "")),
                  accepted: lines(String(data.get("accepted") ?? "")),
                  rubric: String(data.get("rubric") ?? "") || null,
                },
                () => {
                  setEditing(false);
                  router.refresh();
                },
              );
            }}
          >
            <FormError message={save.error?.message} />
            <Field label="Question" htmlFor={`q-${q.id}`} error={save.fieldErrors.question}>
              <Textarea id={`q-${q.id}`} name="question" rows={2} defaultValue={q.question} />
            </Field>
            {q.type === "multiple_choice" && (
              <Field label="Options, one per line" htmlFor={`o-${q.id}`}>
                <Textarea id={`o-${q.id}`} name="options" rows={4} defaultValue={q.options.join("\n")} />
              </Field>
            )}
            <Field label={q.type === "true_false" ? "Answer (true or false)" : "Answer"} htmlFor={`a-${q.id}`} error={save.fieldErrors.answer}>
              <Input id={`a-${q.id}`} name="answer" defaultValue={q.answer} />
            </Field>
            {q.type === "short_answer" && (
              <Field label="Also accepted, one per line" htmlFor={`v-${q.id}`}>
                <Textarea id={`v-${q.id}`} name="accepted" rows={2} defaultValue={q.accepted.join("\n")} />
              </Field>
            )}
            {q.type === "open_answer" && (
              <Field label="Rubric" htmlFor={`r-${q.id}`}>
                <Textarea id={`r-${q.id}`} name="rubric" rows={2} defaultValue={q.rubric ?? ""} />
              </Field>
            )}
            <div className="flex gap-2">
              <Button type="submit" size="sm" disabled={save.pending}>
                Save
              </Button>
              <Button type="button" size="sm" variant="ghost" onClick={() => setEditing(false)}>
                Cancel
              </Button>
            </div>
          </form>
        ) : (
          <div className="space-y-1 text-sm">
            <p className="whitespace-pre-wrap font-medium">{q.question}</p>
            {q.options.length > 0 && (
              <ol className="list-[upper-alpha] pl-5 text-muted-foreground">
                {q.options.map((o) => (
                  <li key={o} className={o === q.answer ? "font-medium text-foreground" : undefined}>
                    {o}
                  </li>
                ))}
              </ol>
            )}
            {q.type !== "multiple_choice" && (
              <p className="whitespace-pre-wrap text-muted-foreground">
                <span className="font-medium text-foreground">Answer:</span> {q.answer}
                {q.accepted.length > 0 && ` (also ${q.accepted.join(", ")})`}
              </p>
            )}
            {q.rubric && <p className="text-xs text-muted-foreground">Rubric: {q.rubric}</p>}
            {q.source && <p className="truncate text-xs text-muted-foreground">{q.source}</p>}
          </div>
        )}
      </TableCell>
      <TableCell className="align-top">
        <Badge variant={q.reviewStatus === "approved" ? "success" : q.reviewStatus === "rejected" ? "destructive" : "secondary"}>{q.reviewStatus}</Badge>
      </TableCell>
      {canEdit && (
        <TableCell className="align-top">
          <div className="flex gap-1">
            <Button size="icon" variant="ghost" aria-label="Approve" disabled={review.pending} onClick={() => void setStatus("approved")}>
              <Check className="size-4" />
            </Button>
            <Button size="icon" variant="ghost" aria-label="Reject" disabled={review.pending} onClick={() => void setStatus("rejected")}>
              <X className="size-4" />
            </Button>
            <Button size="icon" variant="ghost" aria-label="Edit" onClick={() => setEditing((e) => !e)}>
              <Pencil className="size-4" />
            </Button>
          </div>
        </TableCell>
      )}
    </TableRow>
  );
}
