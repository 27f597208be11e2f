// yaml_spec text as go-yaml writes it (block layout at indent 4, Go's quoting of scalars; a
// multi-line string alone is a literal block indented by four).
import { encodeYaml } from "../../yaml/index.js";

/** Renders spec data as a YAML document. */
export function specYaml(view: unknown): string {
  return encodeYaml(view);
}
