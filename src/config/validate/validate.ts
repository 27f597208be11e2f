// The one rule engine behind `talosctl validate`, `gen config`, `machineconfig patch` and the
// node's apply (siderolabs/talos: pkg/machinery/config/container/validate.go): the v1alpha1
// document's rules, each document kind's rules, each document against the v1alpha1 settings it
// replaces, then the whole config for its runtime mode. Every problem names its document, path
// and line; warnings are kept apart (only v1alpha1's turn into errors under strict, as in Talos).
import type { ConfigDocument, ConfigError, MachineConfigDocuments } from "../document.js";
import { LEGACY_KIND } from "../document.js";
import { parseContract, type SchemaContract } from "../schema/index.js";
import { atLeast, Check, type RuleOptions, type TalosVersion } from "./check.js";
import { checkConflicts, validateContainer } from "./container.js";
import { Findings, toConfigError } from "./findings.js";
import { kindRules } from "./kinds/index.js";
import type { ValidationMode } from "./modes.js";
import { type RuntimeState, runtimeValidate } from "./runtime.js";
import { validateV1Alpha1 } from "./v1alpha1.js";

export interface ValidateOptions {
  readonly mode: ValidationMode;
  /** Turns the v1alpha1 document's warnings into errors (`warning: ...`); other documents' stay warnings. */
  readonly strict?: boolean;
  /**
   * The Talos version whose rules apply: the node passes its own version and gets the checks that
   * need it (Kubernetes versions it supports); without one the validation is client-side, as
   * `talosctl validate` is.
   */
  readonly talosVersion?: string;
  /**
   * The version contract whose rules apply ("v1.13", "1.12"): rules that changed between Talos
   * releases follow it. Defaults to `talosVersion`, else the newest.
   */
  readonly contract?: string;
  /** The machine's state for Talos's runtime checks (disks, volumes); the node passes it. */
  readonly runtime?: RuntimeState;
}

export interface ValidationResult {
  readonly errors: readonly ConfigError[];
  readonly warnings: readonly ConfigError[];
}

function versionOf(text: string | undefined): TalosVersion | undefined {
  if (text === undefined) return undefined;
  const { major, minor } = parseContract(text as SchemaContract);
  return { major, minor, text };
}

export function validateMachineConfig(
  config: MachineConfigDocuments,
  options: ValidateOptions,
): ValidationResult {
  const f = new Findings();
  const talosVersion = versionOf(options.talosVersion);
  const contract = versionOf(options.contract ?? options.talosVersion);
  const ruleOptions: RuleOptions = {
    mode: options.mode,
    local: talosVersion === undefined,
    ...(talosVersion !== undefined ? { talosVersion } : {}),
    ...(contract !== undefined ? { contract: { major: contract.major, minor: contract.minor } } : {}),
  };
  const checks = new Map<ConfigDocument, Check>();
  const checkOf = (doc: ConfigDocument) => {
    let c = checks.get(doc);
    if (c === undefined) {
      c = new Check(doc, f, ruleOptions);
      checks.set(doc, c);
    }
    return c;
  };

  for (const doc of config.documents) {
    if (doc.kind === LEGACY_KIND) validateV1Alpha1(checkOf(doc), options.strict === true);
  }
  for (const doc of config.documents) {
    if (doc.kind !== LEGACY_KIND) kindRules(doc.kind)?.validate?.(checkOf(doc));
  }
  checkConflicts(config, kindRules, checkOf);
  // Talos 1.14 brought the rules about the config as a whole.
  if (atLeast(ruleOptions, 1, 14)) validateContainer(config, options.mode, f);
  if (options.runtime !== undefined) runtimeValidate(config, ruleOptions, options.runtime, checkOf, f);

  return {
    errors: f.errors.map((e) => toConfigError(e, config.file)),
    warnings: f.warnings.map((w) => toConfigError(w, config.file)),
  };
}
