// Decodes what a terminal sends for key presses: printable characters, control keys and the
// escape sequences of arrows, paging and function keys in the xterm, VT220/rxvt and Linux
// console variants (F1-F4 differ most: SS3 P-S, CSI 11~-14~, CSI [A-[E).

export interface Key {
  /** A named key ("left", "f1", "enter", "ctrl-c", ...) or "char" for printable text. */
  readonly name: string;
  /** The character for "char" keys. */
  readonly char?: string;
}

const CSI_FINAL: Readonly<Record<string, string>> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  P: "f1",
  Q: "f2",
  R: "f3",
  S: "f4",
  Z: "backtab",
};

const TILDE: Readonly<Record<string, string>> = {
  "1": "home",
  "2": "insert",
  "3": "delete",
  "4": "end",
  "5": "pageup",
  "6": "pagedown",
  "7": "home",
  "8": "end",
  "11": "f1",
  "12": "f2",
  "13": "f3",
  "14": "f4",
  "15": "f5",
  "17": "f6",
  "18": "f7",
  "19": "f8",
  "20": "f9",
  "21": "f10",
  "23": "f11",
  "24": "f12",
};

/** Linux console: CSI [ A..E for F1-F5. */
const LINUX_F: Readonly<Record<string, string>> = { A: "f1", B: "f2", C: "f3", D: "f4", E: "f5" };

const CONTROL: Readonly<Record<number, string>> = {
  9: "tab",
  13: "enter",
  10: "enter",
  127: "backspace",
  8: "backspace",
};

/** Splits a chunk of terminal input into keys. */
export function decodeKeys(input: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    const code = c.charCodeAt(0);
    if (c === "\x1b") {
      const rest = input.slice(i + 1);
      const seq = matchEscape(rest);
      if (seq) {
        if (seq.name !== "") keys.push({ name: seq.name });
        i += 1 + seq.length;
        continue;
      }
      keys.push({ name: "escape" });
      i++;
      continue;
    }
    const named = CONTROL[code];
    if (named) {
      keys.push({ name: named });
      i++;
      continue;
    }
    if (code < 0x20) {
      keys.push({ name: `ctrl-${String.fromCharCode(code + 0x60)}` });
      i++;
      continue;
    }
    const cp = input.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    keys.push({ name: "char", char: ch });
    i += ch.length;
  }
  return keys;
}

/** An escape sequence after ESC: its key name ("" for unknown ones, swallowed) and length. */
function matchEscape(rest: string): { name: string; length: number } | undefined {
  if (rest.startsWith("[[") && rest.length >= 3) {
    return { name: LINUX_F[rest[2]!] ?? "", length: 3 };
  }
  if (rest.startsWith("[") || rest.startsWith("O")) {
    // CSI: parameters (digits and ';'), then a final byte; SS3: one final byte.
    const csi = rest[0] === "[";
    const m = csi ? /^\[([0-9;?<>=]*)([\x40-\x7e])/.exec(rest) : /^O([0-9;]*)([A-Za-z])/.exec(rest);
    if (!m) return undefined;
    const params = m[1]!;
    const final = m[2]!;
    if (final === "~") return { name: TILDE[params.split(";")[0] ?? ""] ?? "", length: m[0].length };
    if (csi && final === "M" && params === "") {
      // X10 mouse report: three more bytes; not used.
      return { name: "", length: Math.min(rest.length, m[0].length + 3) };
    }
    return { name: CSI_FINAL[final] ?? "", length: m[0].length };
  }
  if (rest.length > 0 && rest[0] !== "\x1b") {
    // Alt+key: reported as the key itself.
    return undefined;
  }
  return undefined;
}
