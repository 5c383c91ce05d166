// The fake LLM server in a process of its own (benchmarks: its CPU must not count as ours).
// Prints its URL on the first line of stdout; exits when stdin closes.
import { type FakeMode, startFakeLlm } from "./fake-llm";

const latencyMs = Number(process.argv[2] ?? 0);
const mode = (process.argv[3] ?? "good") as FakeMode;
const server = await startFakeLlm({ latencyMs, mode });
process.stdout.write(`${server.url}\n`);
process.stdin.resume();
process.stdin.on("end", () => void server.stop().then(() => process.exit(0)));
