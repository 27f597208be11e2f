// yaml_spec text as go-yaml writes it (block layout at indent 4, Go's quoting of scalars).
import { emitDocument, toEmitNode } from "../../config/encode/emitter.js";
import { formatScalar } from "../../config/encode/scalar.js";

/** Renders spec data as a YAML document. */
export function specYaml(view: unknown): string {
  if (typeof view === "string") {
    // A document that is one multi-line string: a literal block indented by four.
    const form = formatScalar(view);
    if (form.style === "literal")
      return `${form.header}\n${form.lines.map((l) => (l === "" ? "" : `    ${l}`)).join("\n")}\n`;
    return `${form.text}\n`;
  }
  return emitDocument(toEmitNode(view));
}
