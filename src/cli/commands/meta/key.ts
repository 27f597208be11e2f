// The META key argument of `meta write` and `meta delete`: a uint8 as Go's ParseUint with base 0
// reads it (decimal, 0x.., 0o.., 0b.., a leading 0 for octal).
import { UserError } from "../../../errors.js";
import { GoSyntaxError, parseGoUint } from "../../args/go-values.js";
import { insecureFlags } from "../../flags.js";

/** The parent's --insecure, which talosctl declares on `meta` and its subcommands inherit. */
export const metaFlags = {
  insecure: { ...insecureFlags.insecure, global: true },
  "cert-fingerprint": { ...insecureFlags["cert-fingerprint"], global: true },
} as const;

export function parseMetaKey(text: string): number {
  try {
    return Number(parseGoUint(text, 8));
  } catch (err) {
    if (err instanceof GoSyntaxError) throw new UserError(err.message, { cause: err });
    throw err;
  }
}
