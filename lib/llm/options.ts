// `LlmProvider.options`: how hard we may drive a provider and what its tokens cost.
import { PROVIDERS_OR_POLICIES } from "@huggingface/inference";
import { z } from "zod";

export const priceTableSchema = z.object({
  inputPer1M: z.number().min(0, "Cannot be negative."),
  outputPer1M: z.number().min(0, "Cannot be negative."),
});
export type PriceTable = z.infer<typeof priceTableSchema>;

export const providerOptionsSchema = z.object({
  concurrency: z.number().int("Use a whole number.").min(1, "At least 1.").max(256, "At most 256.").default(4),
  /** 0 = no limit. */
  requestsPerMinute: z.number().int("Use a whole number.").min(0, "Cannot be negative.").max(100_000, "At most 100000.").default(0),
  timeoutMs: z.number().int().min(1_000, "At least 1 second.").max(3_600_000, "At most an hour.").default(120_000),
  /** USD per million tokens; null = free or self-hosted. */
  prices: priceTableSchema.nullable().default(null),
  /** Hugging Face Inference provider; ignored by other kinds and when a custom endpoint is set. */
  hfProvider: z.enum(PROVIDERS_OR_POLICIES, { error: "Choose a Hugging Face inference provider." }).optional(),
});
export type ProviderOptions = z.infer<typeof providerOptionsSchema>;

/** A provider's stored options with defaults; a field that no longer validates falls back alone, so one bad value never drops the prices. */
export function providerOptions(provider: { options: unknown }): ProviderOptions {
  const stored = provider.options;
  const raw = (stored && typeof stored === "object" ? stored : {}) as Record<string, unknown>;
  const fields = providerOptionsSchema.shape;
  const read = <K extends keyof ProviderOptions>(key: K): ProviderOptions[K] => {
    const parsed = fields[key].safeParse(raw[key]);
    return (parsed.success ? parsed.data : fields[key].parse(undefined)) as ProviderOptions[K];
  };
  return {
    concurrency: read("concurrency"),
    requestsPerMinute: read("requestsPerMinute"),
    timeoutMs: read("timeoutMs"),
    prices: read("prices"),
    hfProvider: read("hfProvider"),
  };
}
