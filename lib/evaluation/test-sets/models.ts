// The models a test set compares, by key: a run's base model ("base:<run>"), a run's tuned model
// ("tuned:<run>"), or a workspace provider's model ("provider:<provider>:<model>"), with the
// label people see.
import { db } from "@/lib/db/client";

export function providerModelKey(providerId: string, model: string): string {
  return `provider:${providerId}:${model}`;
}

/** Labels for the keys found in a set's answers (a deleted run or provider keeps a plain label). */
export async function modelLabels(projectId: string, keys: readonly string[]): Promise<Map<string, string>> {
  const runIds = keys.filter((k) => !k.startsWith("provider:")).map((k) => k.split(":")[1]);
  const providerIds = keys.filter((k) => k.startsWith("provider:")).map((k) => k.split(":")[1]);
  const [runs, providers] = await Promise.all([
    db.run.findMany({ where: { id: { in: runIds }, projectId }, select: { id: true, name: true, baseModelId: true } }),
    db.llmProvider.findMany({ where: { id: { in: providerIds }, workspace: { projects: { some: { id: projectId } } } }, select: { id: true, name: true } }),
  ]);
  const labels = new Map<string, string>();
  for (const key of keys) {
    const [kind, id, ...rest] = key.split(":");
    if (kind === "provider") labels.set(key, `${providers.find((p) => p.id === id)?.name ?? "A deleted provider"} · ${rest.join(":")}`);
    else {
      const run = runs.find((r) => r.id === id);
      labels.set(key, kind === "base" ? `Base · ${run?.baseModelId ?? "a deleted run"}` : `Tuned · ${run?.name ?? "a deleted run"}`);
    }
  }
  return labels;
}
