import { describe, expect, it } from "vitest";
import { isCommonPassword, passwordProblem } from "./password";

describe("common passwords", () => {
  it("refuses passwords on the breach list, also with a short tail of digits or symbols", () => {
    for (const p of ["password12", "PASSWORD123", "letmein!!", "sunshine2024", "trustno1"]) expect(isCommonPassword(p), p).toBe(true);
    for (const p of ["a long enough passphrase", "violet-kettle-orbit", "Tq8#vLm2pz", "correct horse battery staple"]) {
      expect(isCommonPassword(p), p).toBe(false);
      expect(passwordProblem(p), p).toBeUndefined();
    }
  });
});
