// Where pip on a box finds the runner's packages: a package index URL, extra index URLs and
// find-links (a wheel folder), for air-gapped boxes and private mirrors. Empty: the box's own pip
// configuration decides (PyPI unless its pip.conf says otherwise).
import { z } from "zod";

/** The Runner columns of the same names. */
export type PackageIndex = { packageIndexUrl: string | null; extraIndexUrls: string[]; findLinks: string[] };

const MAX_ENTRIES = 8;
const INDEX_URL = /^(https?|file):\/\/\S+$/;
// A wheel folder on the box (absolute or under ~) or a page of links.
const FIND_LINKS = /^((https?|file):\/\/\S+|~?\/\S*)$/;

/** One entry a line or separated by spaces, as pip's config writes lists; an error names the bad entry. */
const list = (pattern: RegExp, message: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .default([])
    .transform((value) => (Array.isArray(value) ? value : value.split(/\s+/)).map((entry) => entry.trim()).filter(Boolean))
    .superRefine((entries, ctx) => {
      if (entries.length > MAX_ENTRIES) ctx.addIssue({ code: "custom", message: `At most ${MAX_ENTRIES}.` });
      const bad = entries.find((entry) => entry.length > 1024 || !pattern.test(entry));
      if (bad) ctx.addIssue({ code: "custom", message: `${message} Not: ${bad.slice(0, 80)}` });
    });

export const packageIndexFields = {
  packageIndexUrl: z
    .string()
    .trim()
    .max(1024, "At most 1024 characters.")
    .optional()
    .default("")
    .refine((value) => value === "" || INDEX_URL.test(value), "An http(s):// or file:// URL of a simple index, e.g. https://mirror.lan/simple."),
  extraIndexUrls: list(INDEX_URL, "Each one an http(s):// or file:// URL of a simple index."),
  findLinks: list(FIND_LINKS, "Each one a folder of wheels on the box (/opt/wheels) or an http(s):// or file:// URL."),
};

/** pip's options for an index (unquoted; the caller quotes them for a shell). */
export function pipIndexArgs(index: PackageIndex): string[] {
  return [
    ...(index.packageIndexUrl ? ["--index-url", index.packageIndexUrl] : []),
    ...index.extraIndexUrls.flatMap((url) => ["--extra-index-url", url]),
    ...index.findLinks.flatMap((link) => ["--find-links", link]),
  ];
}
