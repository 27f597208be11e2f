// The shape every part of machine-config handling agrees on: a config is a list of documents,
// each with its identity, its plain data and a way to find where a path stands in the source.
import { UserError } from "../errors.js";

export interface SourcePosition {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
}

export type ConfigPath = readonly (string | number)[];

export interface ConfigDocument {
  /** "v1alpha1" for every document; the legacy document has no apiVersion key and uses `version`. */
  readonly apiVersion: string;
  /** The kind; the legacy document's kind is "v1alpha1". */
  readonly kind: string;
  /** The `name` of named kinds. */
  readonly name?: string;
  /** Plain data as written (for multi-document kinds it includes apiVersion, kind and name). */
  readonly data: Record<string, unknown>;
  /** Where a path inside this document stands in the source text, when known. */
  position(path: ConfigPath): SourcePosition | undefined;
}

export interface MachineConfigDocuments {
  /** The file the config came from, for messages. */
  readonly file?: string;
  readonly documents: readonly ConfigDocument[];
}

export const LEGACY_KIND = "v1alpha1";

/** How messages name a document: `v1alpha1`, `HostnameConfig`, `UserVolumeConfig/data`. */
export function documentLabel(doc: Pick<ConfigDocument, "kind" | "name">): string {
  return doc.name !== undefined && doc.name !== "" ? `${doc.kind}/${doc.name}` : doc.kind;
}

/** `machine.network.interfaces[0].addresses` */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? p : `.${p}`;
  }
  return out;
}

export interface ConfigErrorLocation {
  file?: string;
  document?: string;
  path?: ConfigPath;
  position?: SourcePosition;
}

/**
 * An error in a config that says where: `controlplane.yaml: document v1alpha1:
 * machine.network.hostname (line 12:5): <message>`.
 */
export class ConfigError extends UserError {
  readonly location: ConfigErrorLocation;
  readonly detail: string;

  constructor(detail: string, location: ConfigErrorLocation, options?: { cause?: unknown }) {
    super(formatLocated(detail, location), options);
    this.location = location;
    this.detail = detail;
  }
}

export function formatLocated(detail: string, location: ConfigErrorLocation): string {
  const parts: string[] = [];
  if (location.file) parts.push(location.file);
  if (location.document) parts.push(`document ${location.document}`);
  let where = location.path && location.path.length > 0 ? formatPath(location.path) : "";
  if (location.position) {
    const pos = `line ${location.position.line}:${location.position.col}`;
    where = where === "" ? pos : `${where} (${pos})`;
  }
  if (where !== "") parts.push(where);
  return parts.length > 0 ? `${parts.join(": ")}: ${detail}` : detail;
}
