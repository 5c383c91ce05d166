// What stopped `pip install` on a box, in words a web user can act on ("torch 2.15.0 is not in
// this box's package index; available: 2.13.0+cpu, 2.14.1"); the full log goes beside it. The
// summary is the end of one sentence ("… could not be installed on lab-box: <summary>"), so it
// starts in lower case unless it starts with a package name. Pure, and tested on pip's real output
// (tests/fixtures/pip, pip 23 and 26).

const MAX_VERSIONS_SHOWN = 8;

/** "torch==2.15.0" → "torch 2.15.0"; "torch<3,>=2.6" → "torch <3,>=2.6". */
function describeRequirement(requirement: string): string {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(.*)$/.exec(requirement.trim());
  if (!match) return requirement;
  const [, name, spec] = match;
  if (!spec) return name;
  const exact = /^===?\s*([^,;\s]+)$/.exec(spec);
  return exact ? `${name} ${exact[1]}` : `${name} ${spec.replace(/\s+/g, "")}`;
}

function versionList(versions: string[]): string {
  if (versions.length <= MAX_VERSIONS_SHOWN) return versions.join(", ");
  // pip lists them oldest first; the newest are the useful ones.
  return `…, ${versions.slice(-MAX_VERSIONS_SHOWN).join(", ")}`;
}

/** The index URLs pip said it looked in ("Looking in indexes: a, b"). */
function indexesOf(log: string): string {
  const indexes = /^Looking in indexes: (.+)$/m.exec(log)?.[1].trim();
  return indexes ? `the package index ${indexes}` : "the package index";
}

function networkProblem(log: string): string | null {
  const reasons: Array<[RegExp, string]> = [
    [/Connection refused/i, "connection refused"],
    [/Name or service not known|Temporary failure in name resolution|Failed to resolve|nodename nor servname/i, "its host name does not resolve"],
    [/timed out|ConnectTimeoutError|ReadTimeoutError/i, "timed out"],
    [/CERTIFICATE_VERIFY_FAILED|SSLError|SSL: /i, "its TLS certificate is not trusted"],
    [/ProxyError|Cannot connect to proxy/i, "the proxy refused"],
    [/Network is unreachable|No route to host/i, "no route to it"],
  ];
  if (!/NewConnectionError|Retrying \(Retry\(|ConnectTimeoutError|ReadTimeoutError|ProxyError|SSLError|Failed to establish a new connection/.test(log))
    return null;
  const reason = reasons.find(([pattern]) => pattern.test(log))?.[1] ?? "network error";
  return `pip could not reach ${indexesOf(log)} (${reason}).`;
}

function versionNotFound(log: string): string | null {
  const matches = [...log.matchAll(/Could not find a version that satisfies the requirement (.+?) \(from versions: ([^)]*)\)/g)];
  const last = matches.at(-1);
  if (!last) return null;
  const what = describeRequirement(last[1]);
  const versions =
    last[2].trim() === "none"
      ? []
      : last[2]
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean);
  if (versions.length === 0) return networkProblem(log) ?? `${what} is not in this box's package index (it has no version of it for this Python and platform).`;
  return `${what} is not in this box's package index; available: ${versionList(versions)}.`;
}

function wrongPython(log: string): string | null {
  // pip 23.1+: "Packages require a different Python. 3.9.18 not in:\n'>=3.10.0' (required by transformers 5.18.0 (from …))"
  const grouped = /Packages require a different Python\. (\S+) not in:\s*\n'([^']+)' \(required by (\S+)/.exec(log);
  if (grouped) return `${grouped[3]} needs Python ${grouped[2]}, and the box's Python is ${grouped[1]}.`;
  // Older pip: "Package 'transformers' requires a different Python: 3.9.18 not in '>=3.10.0'"
  const single = /Package '([^']+)' requires a different Python: (\S+) not in '([^']+)'/.exec(log);
  return single ? `${single[1]} needs Python ${single[3]}, and the box's Python is ${single[2]}.` : null;
}

function conflict(log: string): string | null {
  if (!/ResolutionImpossible|conflicting dependencies/.test(log)) return null;
  const causes = /The conflict is caused by:\n((?:[ \t]+\S.*\n?)+)/.exec(log)?.[1];
  const lines = (causes ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return `the runner's packages need versions that conflict in this box's package index${lines.length ? `: ${lines.join("; ")}` : ""}.`;
}

function buildFailed(log: string): string | null {
  if (!/subprocess-exited-with-error|metadata-generation-failed|Failed to build |Failed building wheel/.test(log)) return null;
  const pkg =
    /Failed (?:to build|building wheel for) ([A-Za-z0-9._-]+)/.exec(log)?.[1] ??
    /╰─> ([A-Za-z0-9._-]+)\s*$/m.exec(log)?.[1] ??
    [...log.matchAll(/^(?:Processing|Collecting) (\S+)/gm)].at(-1)?.[1].split("/").pop();
  const output = /\[\d+ lines? of output\]\n([\s\S]*?)\[end of output\]/.exec(log)?.[1].trim().split("\n").at(-1)?.trim();
  return `${pkg ?? "a package"} has no prebuilt wheel for this box, and building it there failed${output ? ` (${output})` : ""}.`;
}

function lastError(log: string): string | null {
  const line = [...log.matchAll(/^ERROR: (?!Exception:)(.+)$/gm)].at(-1)?.[1].trim();
  return line ? `pip failed: ${line.length > 200 ? `${line.slice(0, 197)}…` : line}` : null;
}

/** The clause naming what stopped pip, from its output (stdout and stderr together). */
export function summarizePipFailure(log: string, exitCode?: number | null): string {
  if (/No space left on device|\[Errno 28\]/.test(log))
    return "the box ran out of disk space while pip installed the runner's packages (torch alone takes several GB); free space where the runner's work directory lives.";
  if (/THESE PACKAGES DO NOT MATCH THE HASHES/.test(log))
    return "a package pip downloaded does not match its checksum: the package index or a proxy on the way serves damaged files.";
  const oserror = /Could not install packages due to an OSError: (.+)$/m.exec(log)?.[1].trim();
  if (oserror) return `pip could not write the packages on the box: ${oserror}.`;
  return (
    wrongPython(log) ??
    versionNotFound(log) ??
    conflict(log) ??
    buildFailed(log) ??
    networkProblem(log) ??
    lastError(log) ??
    `pip stopped with exit code ${exitCode ?? "unknown"} and no error message.`
  );
}
