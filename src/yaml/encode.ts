// Plain data to YAML text in the layout a Go program writes it.
import { TalosError } from "../errors.js";
import { emitDocument, toEmitNode } from "./emitter.js";
import { compareGoKeys, type YamlDialect } from "./keys.js";

export interface EncodeYamlOptions {
  /**
   * Which go-yaml the text must match (default "yaml.v3"): Talos writes configs, talosconfig
   * and secrets with yaml.v3's successor v4; client-go and sigs.k8s.io/yaml (a kubeconfig, a
   * JSON patch's result) write through yaml.v2.
   */
  readonly dialect?: YamlDialect;
  /** Spaces per level (default: the dialect's, 4 for yaml.v3 and 2 for yaml.v2). */
  readonly indent?: number;
  /**
   * Sort every mapping's keys as go-yaml sorts a Go map's (default false: the data's own order,
   * as go-yaml keeps a struct's field order). A `Map` keeps its order unless this is set.
   */
  readonly sortKeys?: boolean;
}

/** One YAML document (no `---`), ending with a newline. */
export function encodeYaml(value: unknown, options: EncodeYamlOptions = {}): string {
  const dialect = options.dialect ?? "yaml.v3";
  const indent = options.indent ?? (dialect === "yaml.v2" ? 2 : 4);
  if (!Number.isInteger(indent) || indent < 2 || indent > 9) {
    throw new TalosError("invalid", `YAML indentation must be 2 to 9 spaces, not ${indent}`);
  }
  const root = toEmitNode(value, options.sortKeys ? compareGoKeys(dialect) : undefined);
  return emitDocument(root, undefined, { indent, dialect });
}
