// The order go-yaml writes the keys of a Go map in (siderolabs/talos writes talosconfig, secrets
// and configs with go.yaml.in/yaml/v4; client-go writes kubeconfigs through yaml.v2): not byte
// order but a "natural" one, where runs of digits compare by value ("eth2" before "eth10") and,
// where the texts first differ, a non-letter comes before a letter.

/** Which go-yaml writes the text: v3 (and v4, the same emitter) or v2 (through sigs.k8s.io/yaml). */
export type YamlDialect = "yaml.v3" | "yaml.v2";

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

function isLetter(ch: string): boolean {
  return LETTER.test(ch);
}

function isDigit(ch: string): boolean {
  return DIGIT.test(ch);
}

/** Go's `int64(r - '0')` for a digit rune, accumulated with int64 wrap-around. */
function accumulate(value: bigint, ch: string): bigint {
  return BigInt.asIntN(64, value * 10n + BigInt(ch.codePointAt(0)! - 48));
}

/**
 * True when key `a` sorts before key `b`. yaml.v3 has one refinement over yaml.v2: right after
 * a digit both texts share, a letter comes before a non-letter ("1a" before "1-").
 */
export function goKeyLess(a: string, b: string, dialect: YamlDialect = "yaml.v3"): boolean {
  const ar = [...a];
  const br = [...b];
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i]!;
    const cb = br[i]!;
    if (ca === cb) {
      digits = isDigit(ca);
      continue;
    }
    const al = isLetter(ca);
    const bl = isLetter(cb);
    if (al && bl) return ca.codePointAt(0)! < cb.codePointAt(0)!;
    if (al || bl) return dialect === "yaml.v3" && digits ? al : bl;
    let an = 0n;
    let bn = 0n;
    if (ca === "0" || cb === "0") {
      // The texts part at a zero that continues a number: the digits before it count (as a
      // leading 1), so the zero is not taken for a leading zero.
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = accumulate(an, ar[ai]!);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = accumulate(bn, br[bi]!);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ca.codePointAt(0)! < cb.codePointAt(0)!;
  }
  return ar.length < br.length;
}

/** A comparator for `Array.prototype.sort` that orders map keys as go-yaml does. */
export function compareGoKeys(dialect: YamlDialect = "yaml.v3"): (a: string, b: string) => number {
  return (a, b) => (goKeyLess(a, b, dialect) ? -1 : goKeyLess(b, a, dialect) ? 1 : 0);
}
