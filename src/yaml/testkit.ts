// Strings for property tests of YAML writers: built from the pieces that make YAML text
// ambiguous (indicators, document markers, line breaks of every kind, spaces and tabs at the
// edges, words YAML would read as something else, non-ASCII text, very long lines).

const PIECES = [
  "",
  "a",
  "word",
  " ",
  "  ",
  "\t",
  "\n",
  "\n\n",
  "\r\n",
  "\r",
  "---",
  "...",
  "--- x",
  "#",
  " #",
  "# c",
  ":",
  ": ",
  "- ",
  "-",
  "? ",
  "|",
  ">",
  "'",
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  "*a",
  "&a",
  "!t",
  "%",
  "@",
  "`",
  "~",
  "null",
  "true",
  "yes",
  "0x1F",
  "1e3",
  "010",
  "é",
  "日本",
  "😀",
  "\u0085",
  "\u00a0",
  "\u2028",
  "\ufeff",
  "\u0007",
  "x".repeat(300),
  "long line with spaces ".repeat(12),
];

/** A deterministic random source. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A string of 0 to 8 pieces. */
export function generateString(rand: () => number): string {
  const n = Math.floor(rand() * 9);
  let out = "";
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(rand() * PIECES.length)];
  return out;
}
