/**
 * The Node we need: 20.19 (require of ES modules, which Next 16 and Prisma rely on). pg-boss 12,
 * openai 7 and @langchain/openai declare Node 22, and run on 20.19+ (the whole suite runs on
 * 20.20); npm install prints EBADENGINE warnings for them and nothing more.
 */
export function nodeVersionProblem(version: string): string | undefined {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  if (major > 20 || (major === 20 && minor >= 19)) return undefined;
  return `FineTuneFlow needs Node.js 20.19 or newer (22 LTS recommended); this is ${version}.`;
}
