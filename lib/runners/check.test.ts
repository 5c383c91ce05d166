import { describe, expect, it } from "vitest";
import { parseCudaVersion, parseDfFreeGb, parseGpuQuery, parsePythonVersion } from "./check";

// Recorded from the machines they name (serials and bus ids as nvidia-smi prints them).
const H100_QUERY = "NVIDIA H100 80GB HBM3, 81559, 80988, 550.54.15\n";
const H100_SMI = `Tue Mar 12 10:21:33 2024
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|                                         |                        |               MIG M. |
|=========================================+========================+======================|
|   0  NVIDIA H100 80GB HBM3          On  |   00000000:19:00.0 Off |                    0 |
| N/A   31C    P0             71W /  700W |       1MiB /  81559MiB |      0%      Default |
|                                         |                        |             Disabled |
+-----------------------------------------+------------------------+----------------------+

+-----------------------------------------------------------------------------------------+
| Processes:                                                                              |
|  GPU   GI   CI        PID   Type   Process name                              GPU Memory |
|        ID   ID                                                               Usage      |
|=========================================================================================|
|  No running processes found                                                             |
+-----------------------------------------------------------------------------------------+
`;

const RTX4090_QUERY = "NVIDIA GeForce RTX 4090, 24564, 23976, 535.183.01\nNVIDIA GeForce RTX 4090, 24564, 1346, 535.183.01\n";
const RTX4090_SMI = `Wed Jun  5 14:02:11 2024
+---------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.183.01             Driver Version: 535.183.01   CUDA Version: 12.2     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |         Memory-Usage | GPU-Util  Compute M. |
|                                         |                      |               MIG M. |
|=========================================+======================+======================|
|   0  NVIDIA GeForce RTX 4090        Off | 00000000:01:00.0 Off |                  Off |
|  0%   38C    P8              21W / 450W |    588MiB / 24564MiB |      0%      Default |
|                                         |                      |                  N/A |
+-----------------------------------------+----------------------+----------------------+
|   1  NVIDIA GeForce RTX 4090        Off | 00000000:41:00.0 Off |                  Off |
| 30%   61C    P2             287W / 450W |  23218MiB / 24564MiB |     97%      Default |
|                                         |                      |                  N/A |
+-----------------------------------------+----------------------+----------------------+
`;

const DF_H100_BOX = `Filesystem     1024-blocks      Used Available Capacity Mounted on
/dev/nvme0n1p2  3750157272 812345678 2747201442      23% /
`;

describe("parseGpuQuery", () => {
  it("reads an H100", () => {
    expect(parseGpuQuery(H100_QUERY)).toEqual([{ name: "NVIDIA H100 80GB HBM3", memoryTotalMb: 81559, memoryFreeMb: 80988, driver: "550.54.15" }]);
  });

  it("reads two RTX 4090s, one busy", () => {
    const gpus = parseGpuQuery(RTX4090_QUERY);
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toEqual({ name: "NVIDIA GeForce RTX 4090", memoryTotalMb: 24564, memoryFreeMb: 23976, driver: "535.183.01" });
    expect(gpus[1].memoryFreeMb).toBe(1346);
  });

  it("reads values nvidia-smi cannot report as 0 and skips blank or short lines", () => {
    expect(parseGpuQuery("\nNVIDIA A100-SXM4-40GB MIG 1g.5gb, [N/A], [N/A], 535.104.05\ngarbage\n")).toEqual([
      { name: "NVIDIA A100-SXM4-40GB MIG 1g.5gb", memoryTotalMb: 0, memoryFreeMb: 0, driver: "535.104.05" },
    ]);
    expect(parseGpuQuery("")).toEqual([]);
  });
});

describe("parseCudaVersion", () => {
  it("finds the CUDA version in the header", () => {
    expect(parseCudaVersion(H100_SMI)).toBe("12.4");
    expect(parseCudaVersion(RTX4090_SMI)).toBe("12.2");
  });

  it("is null without a header", () => {
    expect(parseCudaVersion("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")).toBeNull();
  });
});

describe("parsePythonVersion", () => {
  it("reads the version line", () => {
    expect(parsePythonVersion("/usr/bin/python3\nPython 3.11.2\n")).toBe("3.11.2");
    expect(parsePythonVersion("Python 3.13.0rc2")).toBe("3.13.0rc2");
    expect(parsePythonVersion("Python 2.7")).toBe("2.7");
  });

  it("is null for anything else", () => {
    expect(parsePythonVersion("sh: 1: python9: not found")).toBeNull();
  });
});

describe("parseDfFreeGb", () => {
  it("converts available KiB to GiB with one decimal", () => {
    expect(parseDfFreeGb(DF_H100_BOX)).toBe(2619.9);
    expect(parseDfFreeGb("Filesystem 1024-blocks Used Available Capacity Mounted on\noverlay 61202244 20552100 37509664 36% /\n")).toBe(35.8);
  });

  it("keeps its columns when the mount point has spaces", () => {
    const spaced = "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sdb1 102687672 51343836 46084800 53% /media/Scratch Disk\n";
    expect(parseDfFreeGb(spaced)).toBe(43.9);
  });

  it("is null when df printed no row", () => {
    expect(parseDfFreeGb("df: /nope: No such file or directory\n")).toBeNull();
  });
});
