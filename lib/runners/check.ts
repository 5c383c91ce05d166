// "Check runner": what the box offers for training (GPUs, Python, disk), and what the user should
// fix before starting a run. The parsers are pure and tested with recorded outputs.
import type { RunnerConnection } from "./connection";
import { shellQuote } from "./connection";

export type RunnerGpu = { name: string; memoryTotalMb: number; memoryFreeMb: number; driver: string; cuda: string | null };

export type RunnerCheck = {
  gpus: RunnerGpu[];
  python: { path: string; version: string } | null;
  /** Free space where runs live, in GiB (what `df -h` calls G). */
  diskFreeGb: number;
  /** Absolute. */
  workDir: string;
  warnings: string[];
};

const GPU_QUERY = "nvidia-smi --query-gpu=name,memory.total,memory.free,driver_version --format=csv,noheader,nounits";
// A base model, its checkpoints and the adapter: a 7B model alone is about 15 GB in bf16.
const LOW_DISK_GB = 30;
const MIN_PYTHON: [number, number] = [3, 9];

/** One GPU a line: "NVIDIA H100 80GB HBM3, 81559, 80988, 550.54.15". Values nvidia-smi cannot report ("[N/A]") read as 0. */
export function parseGpuQuery(stdout: string): Array<Omit<RunnerGpu, "cuda">> {
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .flatMap((line) => {
      const fields = line.split(",").map((f) => f.trim());
      if (fields.length < 4) return [];
      // A GPU name never holds a comma today; the last three fields are fixed, so a future one still parses.
      const [total, free, driver] = fields.slice(-3);
      const name = fields.slice(0, -3).join(", ");
      const mb = (value: string) => (/^\d+(\.\d+)?$/.test(value) ? Math.round(Number(value)) : 0);
      return [{ name, memoryTotalMb: mb(total), memoryFreeMb: mb(free), driver }];
    });
}

/** The CUDA version the driver supports, from the header of plain `nvidia-smi`. */
export function parseCudaVersion(nvidiaSmiOutput: string): string | null {
  return /CUDA Version:\s*([\d.]+)/.exec(nvidiaSmiOutput)?.[1] ?? null;
}

/** "Python 3.11.2" (stdout on 3.4+, stderr before) → "3.11.2". */
export function parsePythonVersion(output: string): string | null {
  return /Python\s+(\d+\.\d+(?:\.\d+)?\S*)/.exec(output)?.[1] ?? null;
}

/** Free GiB from `df -Pk`: a header, then "<filesystem> <1024-blocks> <used> <available> <capacity>% <mounted on>". */
export function parseDfFreeGb(stdout: string): number | null {
  // Anchored on the four numbers, so spaces in the device or mount point do not shift the columns.
  const row = /^.*?\s+\d+\s+\d+\s+(\d+)\s+(?:\d+%|-)\s+\S.*$/m.exec(stdout.split("\n").slice(1).join("\n"));
  return row ? Math.round((Number(row[1]) / 1024 / 1024) * 10) / 10 : null;
}

function pythonTooOld(version: string): boolean {
  const [major, minor] = version.split(".").map(Number);
  return major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1]);
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

export async function checkRunner(conn: RunnerConnection, options: { workDir: string; pythonPath: string }): Promise<RunnerCheck> {
  const workDir = await conn.resolvePath(options.workDir);
  const python = options.pythonPath.startsWith("~") ? await conn.resolvePath(options.pythonPath) : options.pythonPath;
  const [query, header, pythonRun, df] = await Promise.all([
    conn.exec(GPU_QUERY, { timeoutMs: 30_000 }),
    conn.exec("nvidia-smi", { timeoutMs: 30_000 }),
    conn.exec(`command -v ${shellQuote(python)} && ${shellQuote(python)} --version 2>&1`, { timeoutMs: 30_000 }),
    conn.exec(`mkdir -p ${shellQuote(workDir)} && df -Pk ${shellQuote(workDir)}`, { timeoutMs: 30_000 }),
  ]);
  const warnings: string[] = [];

  let gpus: RunnerGpu[] = [];
  if (query.code === 0) {
    const cuda = parseCudaVersion(header.stdout);
    gpus = parseGpuQuery(query.stdout).map((gpu) => ({ ...gpu, cuda }));
  } else if (query.code === 127) {
    warnings.push("No NVIDIA GPU found (nvidia-smi missing): training would run on CPU and be very slow.");
  } else {
    const why = firstLine(query.stdout || query.stderr) || `exit code ${query.code}`;
    warnings.push(`nvidia-smi failed (${why}): is the NVIDIA driver loaded? Training would run on CPU and be very slow.`);
  }

  const version = pythonRun.code === 0 ? parsePythonVersion(pythonRun.stdout) : null;
  const pythonFound = version ? { path: firstLine(pythonRun.stdout), version } : null;
  if (!pythonFound) {
    warnings.push(`No Python at "${options.pythonPath}" on the runner. Install Python 3 there, or set the runner's Python path.`);
  } else if (pythonTooOld(pythonFound.version)) {
    warnings.push(`Python ${pythonFound.version} is too old: transformers and peft need Python ${MIN_PYTHON.join(".")} or newer.`);
  }

  const diskFreeGb = df.code === 0 ? parseDfFreeGb(df.stdout) : null;
  if (diskFreeGb === null) {
    warnings.push(`Could not use the work directory ${workDir}: ${firstLine(df.stderr) || "df failed"}.`);
  } else if (diskFreeGb < LOW_DISK_GB) {
    warnings.push(`Only ${diskFreeGb} GB free in ${workDir}: base models and checkpoints often need ${LOW_DISK_GB} GB or more.`);
  }

  return { gpus, python: pythonFound, diskFreeGb: diskFreeGb ?? 0, workDir, warnings };
}
