// Near-duplicate examples by MinHash and LSH (pure functions; near-dup-db.ts stores and groups).
//
// An example's text (prompt and answer, lower case, letters and digits) is cut into overlapping
// word pairs (short texts like examples need short runs: one changed word changes two pairs); its signature keeps, for each of SIGNATURE_SIZE seeded hash
// functions, the smallest hash over its runs. The share of equal positions in two signatures
// estimates the Jaccard similarity of their run sets. LSH finds the pairs worth comparing without
// comparing all: the signature is cut into BANDS bands of ROWS values, and examples sharing a whole
// band land in the same bucket (a pair at similarity s shares some band with probability
// 1 − (1 − s^ROWS)^BANDS: 0.99 at s = 0.8, 0.20 at s = 0.4). Candidates are then checked against the
// threshold on their signatures, and groups are the connected pairs (union–find).

export const SHINGLE_WORDS = 2;
export const SIGNATURE_SIZE = 64;
export const BANDS = 16;
export const ROWS = SIGNATURE_SIZE / BANDS;

// Fixed seeds, so signatures stored today compare with those made later.
const SEEDS = Uint32Array.from({ length: SIGNATURE_SIZE }, (_, i) => mix32(0x9e3779b9 ^ Math.imul(i + 1, 0x85ebca6b)));

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The hashed word runs of a text (a text shorter than one run is one run). */
export function shingleHashes(text: string): Uint32Array {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return new Uint32Array(0);
  if (words.length < SHINGLE_WORDS) return Uint32Array.of(fnv1a(words.join(" ")));
  const hashes = new Set<number>();
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) hashes.add(fnv1a(`${words[i]} ${words[i + 1]}`));
  return Uint32Array.from(hashes);
}

/** The MinHash signature of a text; all 0xffffffff for a text without words (which matches nothing). */
export function signature(text: string): Uint32Array {
  const runs = shingleHashes(text);
  const mins = new Uint32Array(SIGNATURE_SIZE).fill(0xffffffff);
  for (const run of runs) {
    for (let i = 0; i < SIGNATURE_SIZE; i++) {
      const h = mix32(run ^ SEEDS[i]);
      if (h < mins[i]) mins[i] = h;
    }
  }
  return mins;
}

/** Estimated Jaccard similarity of two signatures: the share of equal positions. */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) if (a[i] === b[i]) same++;
  return same / SIGNATURE_SIZE;
}

const EMPTY = 0xffffffff;

/** A band's bucket: two independent 32-bit hashes of its values joined into one exact 53-bit number (rare clashes at a million examples, cheap Map keys). */
function bandKey(sig: Uint32Array, band: number): number {
  let h = band;
  let g = band ^ 0x5bd1e995;
  for (let r = band * ROWS; r < (band + 1) * ROWS; r++) {
    h = mix32(h ^ sig[r]);
    g = Math.imul(g ^ sig[r], 0x01000193);
  }
  return h * 0x200000 + ((g >>> 0) >>> 11);
}

export type NearDupItem = { id: string; signature: Uint32Array };

/**
 * Groups of near-duplicates among `items` (in the order given: the first of each group is the
 * one to keep). Returns, for each item in a group, the id of its group's first item.
 */
export function nearDuplicateGroups(items: readonly NearDupItem[], threshold: number): Map<string, string> {
  const parent = Int32Array.from(items, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  // Union by the lower index, so each group's root is its first item.
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (let band = 0; band < BANDS; band++) {
    const buckets = new Map<number, number[]>();
    for (let i = 0; i < items.length; i++) {
      const sig = items[i].signature;
      if (sig[0] === EMPTY) continue;
      const key = bandKey(sig, band);
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
    for (const bucket of buckets.values()) {
      if (bucket.length < 2) continue;
      // Each member is checked against the bucket's first members until it joins one: a bucket
      // of many near-identical examples costs about its size, not its square.
      for (let m = 1; m < bucket.length; m++) {
        const i = bucket[m];
        for (let n = 0; n < m && n < 8; n++) {
          const j = bucket[n];
          if (find(i) === find(j)) break;
          if (similarity(items[i].signature, items[j].signature) >= threshold) {
            union(i, j);
            break;
          }
        }
      }
    }
  }
  const size = new Map<number, number>();
  for (let i = 0; i < items.length; i++) size.set(find(i), (size.get(find(i)) ?? 0) + 1);
  const groups = new Map<string, string>();
  for (let i = 0; i < items.length; i++) {
    const root = find(i);
    if ((size.get(root) ?? 0) > 1) groups.set(items[i].id, items[root].id);
  }
  return groups;
}

export function signatureToBuffer(sig: Uint32Array): Buffer {
  return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);
}

export function signatureFromBuffer(buffer: Uint8Array): Uint32Array {
  const copy = new Uint8Array(buffer);
  return new Uint32Array(copy.buffer, 0, SIGNATURE_SIZE);
}
