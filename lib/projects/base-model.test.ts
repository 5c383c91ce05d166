import { describe, expect, it } from "vitest";
import { projectFieldsSchema } from "./index";

const withModel = (baseModelId: string) => projectFieldsSchema.safeParse({ name: "P", taskType: "instruction", baseModelId });

describe("a project's base model", () => {
  it("is a Hub id or the absolute path of a model folder on the GPU box", () => {
    for (const id of ["Qwen/Qwen2.5-0.5B-Instruct", "gpt2", "/models/llama-3.1-8b", "~/models/qwen", ""]) expect(withModel(id).success, id).toBe(true);
  });

  it("refuses anything else, saying both forms", () => {
    for (const id of ["models/a/b", "./model", "~model", "/models/'x'", "https://huggingface.co/gpt2"]) {
      expect(withModel(id).error?.issues[0].message, id).toBe(
        "Use a Hugging Face model id such as meta-llama/Llama-3.1-8B, or the absolute path of a model folder on the GPU box.",
      );
    }
  });
});
