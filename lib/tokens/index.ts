// Token counting with the `tiktoken` package (WASM, ranks bundled; no network). cl100k_base is
// the encoding every count in the product uses (chunks, examples, cost estimates).
import { get_encoding, type Tiktoken } from "tiktoken";

let encoder: Tiktoken | undefined;

/** The shared cl100k_base encoder (created once per process; never freed while in use). */
export function getEncoder(): Tiktoken {
  encoder ??= get_encoding("cl100k_base");
  return encoder;
}

export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  return getEncoder().encode_ordinary(text).length;
}
