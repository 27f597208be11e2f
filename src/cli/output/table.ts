// Plain column tables as talosctl prints them: upper-case header, columns left-aligned and
// separated by at least three spaces, no borders.

export interface TableOptions {
  /** Spaces between columns (talosctl: 3). */
  padding?: number;
}

export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const padding = options.padding ?? 3;
  const all = [header, ...rows];
  const widths: number[] = [];
  for (const row of all) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  }
  const lines = all.map((row) =>
    row
      .map((cell, i) =>
        i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - displayWidth(cell) + padding),
      )
      .join("")
      .trimEnd(),
  );
  return `${lines.join("\n")}\n`;
}

function displayWidth(s: string): number {
  // Strip ANSI colour codes; count code points.
  // biome-ignore lint/complexity/useRegexLiterals: clarity
  return [...s.replace(new RegExp("\\x1b\\[[0-9;]*m", "g"), "")].length;
}
