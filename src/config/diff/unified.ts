// Line diff (Myers' O(ND) algorithm) and unified-diff hunks with three lines of context.

export type Edit = { op: "=" | "-" | "+"; line: string };

/** The shortest edit script turning `a` into `b`, as a list of kept/removed/added lines. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!;
      else x = v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from the end to recover the edits.
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!)) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: "=", line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) edits.push({ op: "+", line: b[y - 1]! });
      else edits.push({ op: "-", line: a[x - 1]! });
    }
    x = prevX;
    y = prevY;
  }
  return edits.reverse();
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
