// Spend from token counts and a provider's editable price table (USD per million tokens).
import type { PriceTable } from "./options";

export type TokenUsage = { tokensIn: number; tokensOut: number };

/** USD, or null when the provider has no prices (self-hosted or free). */
export function estimateCost(usage: TokenUsage, prices: PriceTable | null | undefined): number | null {
  if (!prices) return null;
  return (usage.tokensIn * prices.inputPer1M + usage.tokensOut * prices.outputPer1M) / 1_000_000;
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatCost(cost: number | null): string {
  if (cost === null) return "Free";
  if (cost > 0 && cost < 0.01) return "< $0.01";
  return usd.format(cost);
}

/**
 * What a vision model spends to read one scanned page, for estimates before any is read: the
 * prompt and a page image at the usual detail (about 1,000 tokens at OpenAI's tile rate for a
 * 2000-pixel page) in, a dense page's text (about 450 words) out. The real counts are recorded.
 */
export const VISION_PAGE_USAGE: TokenUsage = { tokensIn: 1_100, tokensOut: 650 };

/** Tokens and USD (null: no prices) for reading `pages` pages with a vision model. */
export function visionOcrEstimate(pages: number, prices: PriceTable | null | undefined): { tokens: number; cost: number | null } {
  const usage = { tokensIn: VISION_PAGE_USAGE.tokensIn * pages, tokensOut: VISION_PAGE_USAGE.tokensOut * pages };
  return { tokens: usage.tokensIn + usage.tokensOut, cost: estimateCost(usage, prices) };
}
