// Collects validation problems with their document, path and line, errors and warnings apart.
import {
  type ConfigDocument,
  ConfigError,
  type ConfigPath,
  documentLabel,
  LEGACY_KIND,
  type SourcePosition,
} from "../document.js";

export interface Finding {
  readonly document: ConfigDocument;
  readonly path: ConfigPath;
  readonly message: string;
}

/** Where a path stands; a missing field points at its closest existing parent. */
export function positionOf(doc: ConfigDocument, path: ConfigPath): SourcePosition | undefined {
  for (let n = path.length; n >= 0; n--) {
    const p = doc.position(path.slice(0, n));
    if (p !== undefined) return p;
  }
  return undefined;
}

export class Findings {
  readonly errors: Finding[] = [];
  readonly warnings: Finding[] = [];

  error(document: ConfigDocument, path: ConfigPath, message: string): void {
    this.errors.push({ document, path, message });
  }

  warn(document: ConfigDocument, path: ConfigPath, message: string): void {
    this.warnings.push({ document, path, message });
  }
}

export function toConfigError(f: Finding, file: string | undefined, prefix = ""): ConfigError {
  const position = positionOf(f.document, f.path);
  return new ConfigError(`${prefix}${f.message}`, {
    ...(file ? { file } : {}),
    document: documentLabel(f.document),
    path: f.path,
    ...(position ? { position } : {}),
  });
}

export function isLegacy(doc: ConfigDocument): boolean {
  return doc.kind === LEGACY_KIND;
}
