// Which chat template a run's adapter was trained with, read from the tokenizer files saved beside it.
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { getStorage } from "@/lib/storage";
import { tokenizerChatTemplate } from "./bundle";
import { chatTemplateFamily } from "./modelfile";

async function files(entries: Record<string, string>) {
  const stored = [];
  for (const [name, content] of Object.entries(entries)) {
    const key = `test/${crypto.randomUUID()}/${name}`;
    await getStorage().put(key, Buffer.from(content));
    stored.push({ filename: `output/adapter/${name}`, storagePath: key });
  }
  return { files: stored } as unknown as Parameters<typeof tokenizerChatTemplate>[0];
}

describe("tokenizerChatTemplate", () => {
  it("reads chat_template.jinja, where transformers 5 writes it, before tokenizer_config.json", async () => {
    const run = await files({
      "chat_template.jinja": "{% for m in messages %}<start_of_turn>{{ m.role }}\n{{ m.content }}<end_of_turn>\n{% endfor %}",
      "tokenizer_config.json": JSON.stringify({ model_max_length: 8192 }),
    });
    const template = await tokenizerChatTemplate(run);
    expect(template).toContain("<start_of_turn>");
    expect(chatTemplateFamily({ tokenizerChatTemplate: template, modelType: "llama" })).toBe("gemma");
  });

  it("reads tokenizer_config.json's template, plain or named; a tokenizer without one means Alpaca; no tokenizer is unknown", async () => {
    expect(await tokenizerChatTemplate(await files({ "tokenizer_config.json": JSON.stringify({ chat_template: "<|im_start|>" }) }))).toBe("<|im_start|>");
    const named = JSON.stringify({
      chat_template: [
        { name: "tool_use", template: "x" },
        { name: "default", template: "<|start_header_id|>" },
      ],
    });
    expect(await tokenizerChatTemplate(await files({ "tokenizer_config.json": named }))).toBe("<|start_header_id|>");
    const bare = await tokenizerChatTemplate(await files({ "tokenizer_config.json": JSON.stringify({ model_max_length: 2048 }) }));
    expect(bare).toBeNull();
    expect(chatTemplateFamily({ tokenizerChatTemplate: bare, modelType: "llama" })).toBe("alpaca");
    expect(await tokenizerChatTemplate(await files({}))).toBeUndefined();
  });
});
