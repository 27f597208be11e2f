// Validates a loaded machine config for a runtime mode, as `talosctl validate` does
// (siderolabs/talos: pkg/machinery/config/container/validate.go): every rule runs, every problem is
// reported, each naming its document, path and line.
import type { ConfigError, MachineConfigDocuments } from "../document.js";
import { LEGACY_KIND } from "../document.js";
import { validateContainer } from "./container.js";
import { validateDocument } from "./documents.js";
import { Findings, isLegacy, toConfigError } from "./findings.js";
import type { ValidationMode } from "./modes.js";
import { validateV1Alpha1 } from "./v1alpha1.js";

export interface ValidateOptions {
  readonly mode: ValidationMode;
  /** Turns the v1alpha1 document's warnings into errors (other documents' stay warnings). */
  readonly strict?: boolean;
}

export interface ValidationResult {
  readonly errors: readonly ConfigError[];
  readonly warnings: readonly ConfigError[];
}

export function validateMachineConfig(
  config: MachineConfigDocuments,
  options: ValidateOptions,
): ValidationResult {
  const f = new Findings();
  const legacy = config.documents.find((d) => d.kind === LEGACY_KIND);
  if (legacy === undefined) {
    const anchor = config.documents[0];
    if (anchor !== undefined)
      f.error(anchor, [], "the v1alpha1 document (machine and cluster instructions) is missing");
  }
  for (const doc of config.documents) {
    if (isLegacy(doc)) validateV1Alpha1(doc, options.mode, f);
    validateDocument(doc, f);
  }
  validateContainer(config, options.mode, f);

  const errors = f.errors.map((e) => toConfigError(e, config.file));
  const warnings: ConfigError[] = [];
  for (const w of f.warnings) {
    if (options.strict === true && isLegacy(w.document))
      errors.push(toConfigError(w, config.file, "warning: "));
    else warnings.push(toConfigError(w, config.file));
  }
  return { errors, warnings };
}
