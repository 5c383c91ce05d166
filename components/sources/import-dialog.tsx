"use client";

import { Upload } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useAction } from "@/components/forms/use-action";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Field, FormError } from "@/components/ui/form";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import type { DatasetMapping } from "@/lib/datasets/formats/mapping";
import type { ImportPreview } from "@/lib/datasets/import";
import { previewImportAction, startImportAction } from "@/lib/sources/actions";

type Columns = {
  prompt: string;
  input: string;
  response: string;
  system: string;
  rejected: string;
  history: string;
  label: string;
  whenFalse: "reject" | "skip";
  split: "auto" | "train" | "eval";
  systemTurns: "keep" | "drop";
};
const NONE = "";

const SHAPE_LABELS: Record<ImportPreview["shape"], string> = {
  alpaca: "Alpaca (instruction / input / output)",
  sharegpt: "ShareGPT (conversations)",
  openai: "OpenAI messages",
  qa: "Question / answer",
  preference: "Preference pairs (chosen / rejected, DPO)",
  kto: "Answers marked good or bad (label, KTO)",
  unknown: "Not recognised: choose the columns",
};

function columnsOf(mapping: DatasetMapping | null): Columns {
  const label = {
    label: mapping?.label?.column ?? NONE,
    whenFalse: mapping?.label?.whenFalse ?? "reject",
    split: mapping?.split ?? "auto",
    systemTurns: (mapping && mapping.shape !== "columns" ? mapping.systemTurns : undefined) ?? "keep",
  };
  if (mapping?.shape !== "columns") return { prompt: NONE, input: NONE, response: NONE, system: NONE, rejected: NONE, history: NONE, ...label };
  const c = mapping.columns;
  return {
    prompt: c.instruction ?? c.question ?? NONE,
    input: c.input ?? NONE,
    response: c.output ?? c.answer ?? NONE,
    system: c.system ?? NONE,
    rejected: c.rejected ?? NONE,
    history: c.history ?? NONE,
    ...label,
  };
}

function toMapping(kind: "columns" | "sharegpt" | "openai", columns: Columns): DatasetMapping {
  const pick = (v: string) => (v === NONE ? undefined : v);
  const label = { ...(columns.label === NONE ? {} : { label: { column: columns.label, whenFalse: columns.whenFalse } }), split: columns.split };
  if (kind !== "columns") return { shape: kind, ...label, systemTurns: columns.systemTurns };
  return {
    shape: "columns",
    columns: {
      instruction: pick(columns.prompt),
      input: pick(columns.input),
      output: pick(columns.response),
      system: pick(columns.system),
      rejected: pick(columns.rejected),
      history: pick(columns.history),
    },
    ...label,
  };
}

/** A column picker's options: "none" first (no column), then the file's columns. */
function ColumnOptions({ columns, none }: { columns: string[]; none: string }) {
  return (
    <>
      <option value={NONE}>{none}</option>
      {columns.map((c) => (
        <option key={c} value={c}>
          {c}
        </option>
      ))}
    </>
  );
}

function ExampleCell({ example }: { example: Record<string, unknown> | null }) {
  if (!example) return <span className="text-muted-foreground">–</span>;
  return (
    <dl className="space-y-1 text-xs">
      {Object.entries(example).map(([k, value]) => {
        // A conversation's earlier turns: how many, not their text.
        const v = Array.isArray(value) ? `${value.length} earlier ${value.length === 1 ? "turn" : "turns"}` : String(value ?? "");
        return (
          <div key={k}>
            <dt className="inline font-medium">{k}: </dt>
            <dd className="inline whitespace-pre-wrap">{v.length > 160 ? `${v.slice(0, 160)}…` : v || "(empty)"}</dd>
          </div>
        );
      })}
    </dl>
  );
}

/** Preview an uploaded dataset, confirm or change its column mapping, and import it. */
export function ImportDialog({ projectId, fileId, filename, imported }: { projectId: string; fileId: string; filename: string; imported: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [kind, setKind] = useState<"columns" | "sharegpt" | "openai">("columns");
  const [columns, setColumns] = useState<Columns>(columnsOf(null));
  const load = useAction(previewImportAction);
  const start = useAction(startImportAction);

  useEffect(() => {
    if (!open || preview) return;
    void load.run({ projectId, fileId }, (result) => {
      setPreview(result);
      const suggested = result.suggestedMapping;
      setKind(suggested?.shape ?? "columns");
      setColumns(columnsOf(suggested));
    });
  }, [open, preview, load, projectId, fileId]);

  const mapping = toMapping(kind, columns);
  const refreshPreview = () => load.run({ projectId, fileId, mapping }, (result) => setPreview(result));
  const setColumn = (key: keyof Columns) => (e: React.ChangeEvent<HTMLSelectElement>) => setColumns((c) => ({ ...c, [key]: e.target.value }));

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm">
          <Upload className="size-3" /> {imported ? "Import again" : "Import…"}
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-4xl">
        <DialogHeader>
          <DialogTitle>Import {filename}</DialogTitle>
          <DialogDescription>
            Check how the rows map to {preview?.taskType === "qa" ? "question / answer" : "instruction / input / output"} examples. Rows that cannot be used are
            kept as invalid, with their line number.
          </DialogDescription>
        </DialogHeader>
        <FormError message={load.error?.message ?? start.error?.message} />
        {!preview ? (
          <p className="text-sm text-muted-foreground">Reading the first rows…</p>
        ) : (
          <div className="space-y-4">
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <Badge variant="outline" className="uppercase">
                {preview.format}
              </Badge>
              <span>Detected: {SHAPE_LABELS[preview.shape]}</span>
              <span className="text-muted-foreground">
                · {preview.sampleErrors} of the first {preview.sampledRows} rows have problems
              </span>
            </div>
            <div className="grid gap-3 sm:grid-cols-5">
              <Field label="Layout" htmlFor="map-kind">
                <NativeSelect id="map-kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
                  <option value="columns">Columns</option>
                  <option value="sharegpt">ShareGPT conversations</option>
                  <option value="openai">OpenAI messages</option>
                </NativeSelect>
              </Field>
              {kind === "columns" &&
                (
                  [
                    ["prompt", "Prompt column"],
                    ["input", "Input / context"],
                    ["response", "Response column"],
                    ["system", "System prompt"],
                    ["rejected", "Rejected (DPO)"],
                    ["history", "Earlier turns (history)"],
                  ] as const
                ).map(([key, label]) => (
                  <Field key={key} label={label} htmlFor={`map-${key}`}>
                    <NativeSelect id={`map-${key}`} value={columns[key]} onChange={setColumn(key)}>
                      <ColumnOptions columns={preview.columns} none={key === "prompt" || key === "response" ? "Choose…" : "None"} />
                    </NativeSelect>
                  </Field>
                ))}
              {kind !== "columns" && (
                <Field label="System turns" htmlFor="map-system-turns">
                  <NativeSelect id="map-system-turns" value={columns.systemTurns} onChange={setColumn("systemTurns")}>
                    <option value="keep">Keep in each example</option>
                    <option value="drop">Drop (one prompt for the whole file)</option>
                  </NativeSelect>
                </Field>
              )}
              <Field label="Split" htmlFor="map-split">
                <NativeSelect id="map-split" value={columns.split} onChange={setColumn("split")}>
                  <option value="auto">A row's split field, else the project's share</option>
                  <option value="train">All train</option>
                  <option value="eval">All eval</option>
                </NativeSelect>
              </Field>
              <Field label="Good/bad label (KTO)" htmlFor="map-label">
                <NativeSelect id="map-label" value={columns.label} onChange={setColumn("label")}>
                  <ColumnOptions columns={preview.columns} none="None" />
                </NativeSelect>
              </Field>
              {columns.label !== NONE && (
                <Field label="Answers marked bad" htmlFor="map-when-false">
                  <NativeSelect id="map-when-false" value={columns.whenFalse} onChange={setColumn("whenFalse")}>
                    <option value="reject">Import as rejected</option>
                    <option value="skip">Leave out</option>
                  </NativeSelect>
                </Field>
              )}
            </div>
            <Button variant="outline" size="sm" onClick={refreshPreview} disabled={load.pending}>
              {load.pending ? "Checking…" : "Preview with this mapping"}
            </Button>
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead className="w-16">Line</TableHead>
                  <TableHead>Becomes</TableHead>
                  <TableHead className="w-64">Problem or note</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {preview.sample.map((row) => (
                  <TableRow key={row.line}>
                    <TableCell className="tabular-nums">{row.line}</TableCell>
                    <TableCell>
                      <ExampleCell example={row.example} />
                    </TableCell>
                    <TableCell className="text-xs">
                      {row.error && <span className="text-destructive">{row.error}</span>}
                      {row.notes?.map((note) => (
                        <span key={note} className="block text-muted-foreground">
                          {note}
                        </span>
                      ))}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
        <DialogFooter>
          <Button
            disabled={!preview || start.pending}
            onClick={() =>
              start.run({ projectId, fileId, mapping }, () => {
                setOpen(false);
                toast.success("Import started.");
                router.refresh();
              })
            }
          >
            {start.pending ? "Starting…" : "Import"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
