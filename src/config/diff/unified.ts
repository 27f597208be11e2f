// Line diff and unified-diff hunks with three lines of context. The diff is Myers' O(ND)
// algorithm in its linear-space form (each step splits the problem at a point of an optimal path
// found by searching from both ends), so memory stays proportional to the input however many
// edits there are; a copy of the search state per edit step would grow with N × D.

export type Edit = { op: "=" | "-" | "+"; line: string };

/**
 * The shortest edit script turning `a` into `b`, as a list of kept/removed/added lines. Within a
 * run of changes the removed lines come before the added ones.
 */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  // Lines become small integers, so comparing is cheap and the search never touches the text.
  const ids = new Map<string, number>();
  const idOf = (line: string): number => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const ai = Int32Array.from(a, idOf);
  const bi = Int32Array.from(b, idOf);

  // A line that does not occur on the other side can never be kept: leaving it out of the search
  // keeps the script minimal and makes wholly different texts cost linear time.
  const inA = new Uint8Array(ids.size);
  const inB = new Uint8Array(ids.size);
  for (const id of ai) inA[id] = 1;
  for (const id of bi) inB[id] = 1;
  const keptA = indicesWhere(ai, inB);
  const keptB = indicesWhere(bi, inA);
  const ra = Int32Array.from(keptA, (i) => ai[i]!);
  const rb = Int32Array.from(keptB, (i) => bi[i]!);

  const matches: number[] = [];
  matchRange(ra, rb, 0, ra.length, 0, rb.length, matches);

  const edits: Edit[] = [];
  let x = 0;
  let y = 0;
  const emitUpTo = (xEnd: number, yEnd: number) => {
    while (x < xEnd) edits.push({ op: "-", line: a[x++]! });
    while (y < yEnd) edits.push({ op: "+", line: b[y++]! });
  };
  for (let i = 0; i < matches.length; i += 2) {
    const mx = keptA[matches[i]!]!;
    const my = keptB[matches[i + 1]!]!;
    emitUpTo(mx, my);
    edits.push({ op: "=", line: a[mx]! });
    x = mx + 1;
    y = my + 1;
  }
  emitUpTo(a.length, b.length);
  return edits;
}

function indicesWhere(ids: Int32Array, present: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) if (present[ids[i]!] === 1) out.push(i);
  return out;
}

/**
 * Appends to `out` (as x, y pairs, in order) the positions of a longest common subsequence of
 * a[aLo..aHi) and b[bLo..bHi).
 */
function matchRange(
  a: Int32Array,
  b: Int32Array,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  out: number[],
): void {
  // Common prefix.
  while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
    out.push(aLo++, bLo++);
  }
  // Common suffix (emitted after the middle).
  let suffix = 0;
  while (aHi - suffix > aLo && bHi - suffix > bLo && a[aHi - suffix - 1] === b[bHi - suffix - 1]) suffix++;
  aHi -= suffix;
  bHi -= suffix;
  if (aLo < aHi && bLo < bHi) {
    const [sx, sy] = splitPoint(a, b, aLo, aHi, bLo, bHi);
    matchRange(a, b, aLo, sx, bLo, sy, out);
    matchRange(a, b, sx, aHi, sy, bHi, out);
  }
  for (let i = 0; i < suffix; i++) out.push(aHi + i, bHi + i);
}

/**
 * A point (x, y) on an optimal edit path through the box a[aLo..aHi) × b[bLo..bHi), found where
 * the forward and the backward searches meet (Myers 1986, section 4b). The box has no common
 * first or last element, so both halves are strictly smaller.
 */
function splitPoint(
  a: Int32Array,
  b: Int32Array,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): [number, number] {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const maxD = Math.ceil((n + m) / 2);
  const offset = maxD + 1;
  const size = 2 * maxD + 3;
  // Furthest x reached on each diagonal k = x - y, forward and backward (the backward search
  // measures x from the end); -1 where the diagonal was not reached yet.
  const forward = new Int32Array(size).fill(-1);
  const backward = new Int32Array(size).fill(-1);
  forward[offset + 1] = 0;
  backward[offset + 1] = 0;
  const delta = n - m;
  // With an odd delta the paths meet during a forward step, with an even one during a backward step.
  const meetForward = (delta & 1) !== 0;
  // Diagonals that ran off the box are skipped from then on.
  let fStart = 0;
  let fEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  for (let d = 0; d < maxD; d++) {
    for (let k = -d + fStart; k <= d - fEnd; k += 2) {
      const ko = offset + k;
      let x =
        k === -d || (k !== d && forward[ko - 1]! < forward[ko + 1]!)
          ? forward[ko + 1]!
          : forward[ko - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[aLo + x] === b[bLo + y]) {
        x++;
        y++;
      }
      forward[ko] = x;
      if (x > n) fEnd += 2;
      else if (y > m) fStart += 2;
      else if (meetForward) {
        const bo = offset + delta - k;
        if (bo >= 0 && bo < size && backward[bo] !== -1 && x >= n - backward[bo]!) return [aLo + x, bLo + y];
      }
    }
    for (let k = -d + bStart; k <= d - bEnd; k += 2) {
      const ko = offset + k;
      let x =
        k === -d || (k !== d && backward[ko - 1]! < backward[ko + 1]!)
          ? backward[ko + 1]!
          : backward[ko - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[aHi - x - 1] === b[bHi - y - 1]) {
        x++;
        y++;
      }
      backward[ko] = x;
      if (x > n) bEnd += 2;
      else if (y > m) bStart += 2;
      else if (!meetForward) {
        const fo = offset + delta - k;
        if (fo >= 0 && fo < size && forward[fo] !== -1) {
          const fx = forward[fo]!;
          const fy = fx - (delta - k);
          if (fx >= n - x) return [aLo + fx, bLo + fy];
        }
      }
    }
  }
  // Unreachable for non-empty boxes (the searches always meet by maxD); a split that removes
  // one element keeps the recursion correct regardless.
  return [aLo + 1, bLo];
}

export interface UnifiedOptions {
  readonly fromLabel: string;
  readonly toLabel: string;
  readonly context?: number;
}

/** A unified diff of two texts; "" when they are equal. */
export function unifiedDiff(from: string, to: string, options: UnifiedOptions): string {
  const a = splitLines(from);
  const b = splitLines(to);
  const edits = diffLines(a, b);
  if (edits.every((e) => e.op === "=")) return "";
  const context = options.context ?? 3;
  const out: string[] = [`--- ${options.fromLabel}`, `+++ ${options.toLabel}`];

  // Positions (1-based line numbers) of each edit in both texts.
  const pos: { ai: number; bi: number }[] = [];
  let ai = 1;
  let bi = 1;
  for (const e of edits) {
    pos.push({ ai, bi });
    if (e.op !== "+") ai++;
    if (e.op !== "-") bi++;
  }

  let i = 0;
  while (i < edits.length) {
    if (edits[i]!.op === "=") {
      i++;
      continue;
    }
    // A hunk: the change, its context before, and every change within 2*context lines after.
    const start = Math.max(0, i - context);
    let end = i;
    let lastChange = i;
    while (end < edits.length) {
      if (edits[end]!.op !== "=") lastChange = end;
      else if (end - lastChange > 2 * context) break;
      end++;
    }
    end = Math.min(edits.length, lastChange + context + 1);
    const hunk = edits.slice(start, end);
    const aStart = pos[start]!.ai;
    const bStart = pos[start]!.bi;
    const aLen = hunk.filter((e) => e.op !== "+").length;
    const bLen = hunk.filter((e) => e.op !== "-").length;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const e of hunk) out.push(`${e.op === "=" ? " " : e.op}${e.line}`);
    i = end;
  }
  return `${out.join("\n")}\n`;
}

function range(start: number, length: number): string {
  // An empty range names the line before it, as diff(1) does.
  const first = length === 0 ? start - 1 : start;
  return length === 1 ? `${first}` : `${first},${length}`;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
