export {};

// npm run bench [-- name …]: runs the benchmarks (all by default). Each prints its figures and
// its ratios against a baseline measured in the same process. Each loads only when it runs.
const BENCHES: Record<string, () => Promise<void>> = {
  jobs: async () => (await import("./jobs")).benchJobs(),
  chunking: async () => (await import("./chunking")).benchChunking(),
  generation: async () => (await import("./generation")).benchGeneration(),
  fairness: async () => (await import("./fairness")).benchFairness(),
  review: async () => (await import("./review")).benchReview(),
  ocr: async () => (await import("./ocr")).benchOcr(),
  "near-dup": async () => (await import("./near-dup")).benchNearDup(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`Unknown benchmark "${name}". Known: ${Object.keys(BENCHES).join(", ")}`);
    process.exit(1);
  }
  await bench();
}
process.exit(0);
