import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import type { RunFilter } from "@/lib/training";

const STATUSES = ["success", "failed", "running", "queued", "retrying", "cancelled"] as const;

/** Filters the run list by status, base model, preset, tag and launch date (a plain GET form: the filter is in the URL). */
export function RunFilters({
  filter,
  baseModels,
  presets,
  tags,
  clearHref,
}: {
  filter: RunFilter;
  baseModels: string[];
  presets: Array<{ id: string; name: string }>;
  tags: string[];
  clearHref: string;
}) {
  return (
    <form method="get" className="grid gap-3 sm:grid-cols-3 lg:grid-cols-7" data-testid="run-filters">
      <Field label="Status" htmlFor="rf-status">
        <NativeSelect id="rf-status" name="status" defaultValue={filter.status ?? ""}>
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label="Base model" htmlFor="rf-model">
        <NativeSelect id="rf-model" name="baseModel" defaultValue={filter.baseModel ?? ""}>
          <option value="">Any</option>
          {baseModels.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label="Preset" htmlFor="rf-preset">
        <NativeSelect id="rf-preset" name="presetId" defaultValue={filter.presetId ?? ""}>
          <option value="">Any</option>
          {presets.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label="Tag" htmlFor="rf-tag">
        <NativeSelect id="rf-tag" name="tag" defaultValue={filter.tag ?? ""}>
          <option value="">Any</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label="From" htmlFor="rf-from">
        <Input id="rf-from" name="from" type="date" defaultValue={filter.from ?? ""} />
      </Field>
      <Field label="To" htmlFor="rf-to">
        <Input id="rf-to" name="to" type="date" defaultValue={filter.to ?? ""} />
      </Field>
      <div className="flex items-end gap-2">
        <Button type="submit" variant="outline">
          Filter
        </Button>
        <Link href={clearHref} className="pb-2 text-sm text-muted-foreground underline-offset-4 hover:underline">
          Clear
        </Link>
      </div>
    </form>
  );
}
