// The YAML a JSON patch leaves behind: Talos converts the patched JSON back with a yaml.v2-style
// writer, so keys are sorted, indentation is two spaces and list items are not indented under their
// key.
import { stringify } from "yaml";

export function jsonToYaml(value: unknown): string {
  if (value === null || value === undefined) return "null\n";
  return stringify(value, {
    version: "1.1",
    indent: 2,
    indentSeq: false,
    sortMapEntries: true,
    lineWidth: 0,
    minContentWidth: 0,
    blockQuote: "literal",
    defaultKeyType: "PLAIN",
    defaultStringType: "PLAIN",
    aliasDuplicateObjects: false,
  });
}
