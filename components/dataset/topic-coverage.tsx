import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

/** How many examples each planned topic has (the "topic: …" tags), as bars: what the dataset covers at a glance. */
export function TopicCoverage({ tags }: { tags: Array<{ tag: string; count: number }> }) {
  const topics = tags.filter((t) => t.tag.startsWith("topic: ")).map((t) => ({ name: t.tag.slice("topic: ".length), count: t.count }));
  if (topics.length === 0) return null;
  const max = Math.max(...topics.map((t) => t.count));
  const total = topics.reduce((n, t) => n + t.count, 0);
  return (
    <Card data-testid="topic-coverage">
      <CardHeader>
        <CardTitle>Topic coverage</CardTitle>
        <CardDescription>
          {total.toLocaleString()} examples across {topics.length} planned topics; filter by a topic with the Tag filter.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <ul className="space-y-1.5">
          {topics.map((t) => (
            <li key={t.name} className="grid grid-cols-[minmax(0,12rem)_1fr_3rem] items-center gap-2 text-sm">
              <span className="truncate" title={t.name}>
                {t.name}
              </span>
              <span className="h-2 rounded-full bg-muted">
                <span className="block h-2 rounded-full bg-primary" style={{ width: `${Math.max(2, (t.count / max) * 100)}%` }} />
              </span>
              <span className="text-right tabular-nums text-muted-foreground">{t.count.toLocaleString()}</span>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
