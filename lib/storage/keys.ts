// Storage keys are built here from ids the server generated; user-supplied names (uploaded file
// names, export titles) never become part of a path, so a key cannot point outside its project.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_PATH = /^[A-Za-z0-9._/-]+$/;

function uuid(value: string, what: string): string {
  if (!UUID.test(value)) throw new Error(`Invalid ${what} for a storage key: expected a UUID, got ${JSON.stringify(value)}.`);
  // The same id always maps to the same key, whatever case the caller got it in.
  return value.toLowerCase();
}

/**
 * Throws unless `key` is a relative path of plain segments over [A-Za-z0-9._-]: no `.` or `..`
 * segment, no leading or doubled slash. Drivers call it on every key they are given.
 * `allowTrailingSlash` is for prefixes such as `ws/<id>/p/<id>/`.
 */
export function assertSafeKey(key: string, { allowTrailingSlash = false } = {}): void {
  const body = allowTrailingSlash && key.endsWith("/") ? key.slice(0, -1) : key;
  const segments = body.split("/");
  if (!SAFE_PATH.test(body) || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new Error(`Invalid storage key ${JSON.stringify(key)}: only relative paths of [A-Za-z0-9._-] segments are allowed.`);
  }
}

function relative(value: string, what: string): string {
  try {
    assertSafeKey(value);
  } catch {
    throw new Error(`Invalid ${what} ${JSON.stringify(value)}: use a relative path of letters, digits, '.', '_', '-' and '/', without '..'.`);
  }
  return value;
}

/** Everything stored for a project; deleting the project deletes this prefix. */
export function projectPrefix(workspaceId: string, projectId: string): string {
  return `ws/${uuid(workspaceId, "workspace id")}/p/${uuid(projectId, "project id")}/`;
}

export function fileKey(workspaceId: string, projectId: string, fileId: string): string {
  return `${projectPrefix(workspaceId, projectId)}files/${uuid(fileId, "file id")}`;
}

export function runArtifactKey(workspaceId: string, projectId: string, runId: string, relativePath: string): string {
  return `${projectPrefix(workspaceId, projectId)}runs/${uuid(runId, "run id")}/${relative(relativePath, "artifact path")}`;
}

export function exportKey(workspaceId: string, projectId: string, exportId: string, filename: string): string {
  return `${projectPrefix(workspaceId, projectId)}exports/${uuid(exportId, "export id")}/${relative(filename, "export file name")}`;
}

export function datasetVersionKey(workspaceId: string, projectId: string, versionId: string, filename: string): string {
  return `${projectPrefix(workspaceId, projectId)}versions/${uuid(versionId, "version id")}/${relative(filename, "version file name")}`;
}
