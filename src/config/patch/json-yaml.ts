// The YAML a JSON patch leaves behind: Talos converts the patched JSON back with ghodss/yaml's
// JSONToYAML (siderolabs/talos: pkg/machinery/config/configpatcher/json6902.go), which writes
// through yaml.v2: keys sorted, two-space indentation, list items not indented under their key.
import { encodeYaml } from "../../yaml/index.js";

export function jsonToYaml(value: unknown): string {
  return encodeYaml(value, { dialect: "yaml.v2", sortKeys: true });
}
