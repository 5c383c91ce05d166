// One source of truth for the prompt format: a conversation rendered by the runner's own
// formatter (the prompt it trains and evaluates with, ftf_runner.formatting.prompt_ids, with the
// real tokenizer) and by the Modelfile's TEMPLATE as Ollama renders it (Go text/template over
// .System and .Messages) must be the same text. Checked for a tokenizer with a ChatML chat
// template and for one without (Alpaca format, each answer ended by the EOS token), on the tiny
// model's tokenizer built offline (tests/support/tiny_model.py).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatTemplateFamily, ollamaModelfile } from "@/lib/exports/modelfile";
import { parseModelfile, renderGoTemplate } from "../support/go-template";
import { ensureRunnerVenv } from "../support/runner-venv";

const exec = promisify(execFile);
type Message = { role: "system" | "user" | "assistant"; content: string };
type Conversation = { context: Message[]; prompt: string };

const CONVERSATIONS: Conversation[] = [
  { context: [], prompt: "What does the warranty guide say?" },
  { context: [{ role: "system", content: "Answer in one sentence." }], prompt: "What does the refund policy cover?" },
  {
    context: [
      { role: "system", content: "You are the support desk." },
      { role: "user", content: "What does the router guide say?" },
      { role: "assistant", content: "It resets the router steps." },
      { role: "user", content: "And the battery guide?" },
      { role: "assistant", content: "It replaces the battery steps." },
    ],
    prompt: "Which section lists the firmware steps?",
  },
  // Whitespace and characters a template language might eat or escape.
  { context: [], prompt: '  Line one\n\nline "two" {{ not a tag }} <b>&amp;</b>\t' },
];

let python: string;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ftf-modelfile-template-"));

beforeAll(async () => {
  python = await ensureRunnerVenv();
  await exec(python, [path.resolve("tests/support/tiny_model.py"), scratch]);
  // The same tokenizer without a chat template: what a base model trained in Alpaca format has.
  const alpaca = path.join(scratch, "alpaca");
  fs.cpSync(path.join(scratch, "tokenizer"), alpaca, { recursive: true });
  fs.rmSync(path.join(alpaca, "chat_template.jinja"), { force: true });
  const configFile = path.join(alpaca, "tokenizer_config.json");
  const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
  delete config.chat_template;
  fs.writeFileSync(configFile, JSON.stringify(config));
}, 20 * 60_000);

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function trainingPrompts(tokenizerDir: string): Promise<string[]> {
  const child = execFile(python, [path.resolve("tests/support/render_prompt.py"), "--runner", path.resolve("worker/runner"), tokenizerDir]);
  const output = new Promise<string>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(stderr))));
  });
  child.stdin!.end(JSON.stringify(CONVERSATIONS));
  return (JSON.parse((await output).trim().split("\n").pop()!) as Array<{ text: string }>).map((r) => r.text);
}

/** The tokenizer as the bundle reads it from the adapter folder: its chat template (null: none) and EOS token. */
function tokenizerFacts(dir: string): { chatTemplate: string | null; eos: string | null } {
  const jinja = path.join(dir, "chat_template.jinja");
  const config = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")) as { chat_template?: string; eos_token?: string };
  const chatTemplate = fs.existsSync(jinja) ? fs.readFileSync(jinja, "utf8") : (config.chat_template ?? null);
  return { chatTemplate, eos: config.eos_token ?? null };
}

/** What Ollama renders: every system message's text in .System, the messages (the new prompt last) in .Messages. */
function ollamaPrompt(modelfile: string, conversation: Conversation): string {
  const template = parseModelfile(modelfile).find((c) => c.name === "TEMPLATE")!.args;
  const messages = [...conversation.context, { role: "user", content: conversation.prompt }];
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => m.content)
    .join("\n\n");
  return renderGoTemplate(template, { System: system, Messages: messages.map((m) => ({ Role: m.role, Content: m.content })) });
}

describe("the Modelfile's TEMPLATE renders the prompt the run trained with", () => {
  for (const [name, dir, family] of [
    ["a ChatML chat template", "tokenizer", "chatml"],
    ["no chat template (Alpaca, answers ended by EOS)", "alpaca", "alpaca"],
  ] as const) {
    it(name, async () => {
      const facts = tokenizerFacts(path.join(scratch, dir));
      const detected = chatTemplateFamily({ tokenizerChatTemplate: facts.chatTemplate, modelType: "llama" });
      expect(detected).toBe(family);
      const modelfile = ollamaModelfile({ baseModel: "./model", ollamaBase: "./model", adapterDir: null, chatTemplate: detected, eosToken: facts.eos });
      const training = await trainingPrompts(path.join(scratch, dir));
      expect(training).toHaveLength(CONVERSATIONS.length);
      CONVERSATIONS.forEach((conversation, i) => {
        expect(ollamaPrompt(modelfile, conversation), `conversation ${i}`).toBe(training[i]);
      });
    }, 120_000);
  }
});
