import { Badge } from "@/components/ui/badge";
import { Card, CardContent } from "@/components/ui/card";
import { EarlierTurns } from "./earlier-turns";
import { historyOf, promptText, responseText } from "./example-text";

type PreviewExample = {
  id: string;
  data: unknown;
  isValid: boolean;
  validationError: string | null;
  tokenCount: number | null;
  tags: string[];
  provenance: unknown;
  sourceChunk: { content: string; chunkIndex: number; metadata: unknown; sourceFile: { filename: string } } | null;
};

/** Each preview example beside the chunk it came from. */
export function PreviewCards({ examples }: { examples: PreviewExample[] }) {
  return (
    <ol className="space-y-3" data-testid="preview-cards">
      {examples.map((example) => {
        const data = (example.data ?? {}) as Record<string, unknown>;
        const meta = (example.sourceChunk?.metadata ?? {}) as { page_start?: number; section?: string };
        const reasoning = (example.provenance as { reasoning?: unknown } | null)?.reasoning;
        return (
          <li key={example.id}>
            <Card className="py-4">
              <CardContent className="grid gap-4 md:grid-cols-2">
                <div className="space-y-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <Badge variant={example.isValid ? "success" : "destructive"}>{example.isValid ? "valid" : "invalid"}</Badge>
                    <span className="text-xs text-muted-foreground">{example.tokenCount ?? 0} tokens</span>
                    {example.tags.map((tag) => (
                      <Badge key={tag} variant="outline">
                        {tag}
                      </Badge>
                    ))}
                  </div>
                  {!example.isValid && example.validationError && <p className="text-xs text-destructive">{example.validationError}</p>}
                  <EarlierTurns turns={historyOf(data)} />
                  <p className="whitespace-pre-wrap text-sm font-medium">{promptText(data)}</p>
                  {typeof reasoning === "string" && (
                    <details className="text-xs text-muted-foreground">
                      <summary className="cursor-pointer">Reasoning</summary>
                      <p className="mt-1 whitespace-pre-wrap">{reasoning}</p>
                    </details>
                  )}
                  <p className="whitespace-pre-wrap text-sm">{responseText(data)}</p>
                </div>
                <div className="rounded-md border bg-muted/30 p-3">
                  {example.sourceChunk ? (
                    <>
                      <p className="mb-1 text-xs text-muted-foreground">
                        {example.sourceChunk.sourceFile.filename} · chunk {example.sourceChunk.chunkIndex + 1}
                        {meta.page_start ? ` · page ${meta.page_start}` : ""}
                        {meta.section ? ` · § ${meta.section}` : ""}
                      </p>
                      <p className="line-clamp-[12] whitespace-pre-wrap text-xs">{example.sourceChunk.content}</p>
                    </>
                  ) : (
                    <p className="text-xs text-muted-foreground">The source chunk was deleted.</p>
                  )}
                </div>
              </CardContent>
            </Card>
          </li>
        );
      })}
    </ol>
  );
}
