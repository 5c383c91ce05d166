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
