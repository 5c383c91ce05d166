import { describe, expect, it } from "vitest";
import { nearDuplicateGroups, signature, signatureFromBuffer, signatureToBuffer, similarity } from "./near-dup";

const base =
  "How long do refunds take for card payments? Refunds for card payments are paid back to the original card within fourteen days of the return being received at the warehouse.";

describe("MinHash signatures", () => {
  it("estimate similarity: identical texts 1, a few words changed high, unrelated texts low", () => {
    const same = similarity(signature(base), signature(base.toUpperCase()));
    const edited = similarity(signature(base), signature(base.replace("fourteen", "ten").replace("warehouse", "depot")));
    const other = similarity(signature(base), signature("Shipping is free for orders above fifty euros and takes three working days within the country."));
    expect(same).toBe(1);
    expect(edited).toBeGreaterThan(0.6);
    expect(other).toBeLessThan(0.1);
  });

  it("survive a trip through bytes", () => {
    const sig = signature(base);
    expect(signatureFromBuffer(signatureToBuffer(sig))).toEqual(sig);
  });
});

describe("nearDuplicateGroups", () => {
  it("groups near-duplicates under the first of them, and leaves distinct and empty texts alone", () => {
    const texts = [
      base,
      "Shipping is free for orders above fifty euros and takes three working days within the country.",
      base.replace("fourteen days", "14 days"),
      `${base} Thanks!`,
      "",
      "",
      "A completely different question about opening hours of the support desk on public holidays in winter.",
    ];
    const groups = nearDuplicateGroups(
      texts.map((text, i) => ({ id: `e${i}`, signature: signature(text) })),
      0.7,
    );
    expect(Object.fromEntries(groups)).toEqual({ e0: "e0", e2: "e0", e3: "e0" });
  });

  it("a higher threshold splits what a lower one joins", () => {
    const a = base;
    const b = base.replace("card payments? Refunds for card payments", "bank transfers? Refunds for bank transfers");
    const items = [a, b].map((text, i) => ({ id: `e${i}`, signature: signature(text) }));
    const s = similarity(items[0].signature, items[1].signature);
    expect(nearDuplicateGroups(items, s - 0.05).size).toBe(2);
    expect(nearDuplicateGroups(items, Math.min(1, s + 0.05)).size).toBe(0);
  });
});
