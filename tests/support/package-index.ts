// A package index on disk, as an air-gapped box's mirror looks to pip: a PEP 503 "simple" index
// (file://) of tiny pure-Python wheels, built by the test that uses it.
import fs from "node:fs";
import path from "node:path";
import { writeBundleZip } from "@/lib/exports/zip";

export type IndexedPackage = { name: string; version: string };

/** pip's normalized project name (PEP 503) and the wheel's file-name form of it. */
const normalized = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");
const distribution = (name: string) => normalized(name).replace(/-/g, "_");

async function writeWheel(dir: string, pkg: IndexedPackage): Promise<string> {
  const dist = distribution(pkg.name);
  const file = `${dist}-${pkg.version}-py3-none-any.whl`;
  const info = `${dist}-${pkg.version}.dist-info`;
  const files: Array<[string, string]> = [
    [`${dist}/__init__.py`, `__version__ = "${pkg.version}"\n`],
    [`${info}/METADATA`, `Metadata-Version: 2.1\nName: ${pkg.name}\nVersion: ${pkg.version}\n`],
    [`${info}/WHEEL`, "Wheel-Version: 1.0\nGenerator: finetuneflow-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"],
  ];
  const record = `${[...files.map(([name]) => `${name},,`), `${info}/RECORD,,`].join("\n")}\n`;
  const entries = [...files, [`${info}/RECORD`, record] as [string, string]].map(([entry, text]) => ({ path: entry, source: { text } }));
  await writeBundleZip(entries, fs.createWriteStream(path.join(dir, file)));
  return file;
}

/** Writes the wheels and `<dir>/simple/<project>/index.html`; returns the index's file:// URL. */
export async function buildPackageIndex(dir: string, packages: IndexedPackage[]): Promise<string> {
  const files = path.join(dir, "files");
  fs.mkdirSync(files, { recursive: true });
  const byProject = new Map<string, string[]>();
  for (const pkg of packages) {
    const wheel = await writeWheel(files, pkg);
    byProject.set(normalized(pkg.name), [...(byProject.get(normalized(pkg.name)) ?? []), wheel]);
  }
  for (const [project, wheels] of byProject) {
    const page = path.join(dir, "simple", project);
    fs.mkdirSync(page, { recursive: true });
    const links = wheels.map((wheel) => `<a href="../../files/${wheel}">${wheel}</a>`).join("\n");
    fs.writeFileSync(path.join(page, "index.html"), `<!DOCTYPE html><html><body>\n${links}\n</body></html>\n`);
  }
  return `file://${path.join(dir, "simple")}`;
}
