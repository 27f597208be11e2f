// What a rule sees: one document, the options of the run and a place to put its findings. Rules
// report Talos's message texts; the finding adds the file, document, path and line.
import type { ConfigDocument, ConfigPath } from "../document.js";
import { type CelEnvironment, celError } from "./cel.js";
import { type Data, obj, str } from "./data.js";
import type { Findings } from "./findings.js";
import type { ValidationMode } from "./modes.js";

/** A Talos version as major.minor (the contract whose rules apply). */
export interface TalosVersion {
  readonly major: number;
  readonly minor: number;
  /** The full version as the node reports it ("v1.14.2"). */
  readonly text: string;
}

export interface RuleOptions {
  readonly mode: ValidationMode;
  /**
   * Client-side validation (`talosctl validate`, generation, patching): skips what needs the
   * running Talos version, as Talos's validation.WithLocal does.
   */
  readonly local: boolean;
  /** The running Talos version (the node's on apply): the Kubernetes versions it supports. */
  readonly talosVersion?: TalosVersion;
  /**
   * The version contract whose rules apply (major.minor): the node's own version on apply, the
   * generated contract for `gen config --talos-version`; undefined: the newest.
   */
  readonly contract?: { readonly major: number; readonly minor: number };
}

/** Whether the rules of `options` are those of Talos `major.minor` or newer (the newest when unset). */
export function atLeast(options: RuleOptions, major: number, minor: number): boolean {
  const v = options.contract;
  if (v === undefined) return true;
  return v.major > major || (v.major === major && v.minor >= minor);
}

export class Check {
  constructor(
    readonly doc: ConfigDocument,
    private readonly findings: Findings,
    readonly options: RuleOptions,
  ) {}

  get data(): Data {
    return this.doc.data;
  }

  /** The document's `name` ("" when unnamed or empty). */
  get name(): string {
    const n = this.doc.data.name;
    return typeof n === "string" ? n : n === undefined || n === null ? "" : String(n);
  }

  error(message: string, path: ConfigPath = []): void {
    this.findings.error(this.doc, path, message);
  }

  warn(message: string, path: ConfigPath = []): void {
    this.findings.warn(this.doc, path, message);
  }

  /** Whether the contract being validated is at least `major.minor` (the newest when unset). */
  atLeast(major: number, minor: number): boolean {
    return atLeast(this.options, major, minor);
  }

  object(path: ConfigPath): Data | undefined {
    return obj(this.doc.data, path);
  }

  /**
   * A CEL expression field (Talos's cel.Expression ParseBool/ParseDouble): when set it must
   * compile and type-check in its environment (`<invalid>: <CEL error>`); when empty and a
   * `required` message is given, that message.
   */
  cel(
    path: ConfigPath,
    env: CelEnvironment,
    invalid: string,
    required?: string,
    result: "bool" | "double" = "bool",
  ): void {
    const expr = str(this.doc.data, path);
    if (expr !== "") {
      const e = celError(expr, env, result);
      if (e !== undefined) this.error(`${invalid}: ${e}`, path);
    } else if (required !== undefined) this.error(required, path);
  }

  celBool(path: ConfigPath, env: CelEnvironment, invalid: string, required?: string): void {
    this.cel(path, env, invalid, required);
  }
}

/** A kind's rules: its Validate, and its check against the v1alpha1 settings it replaces. */
export interface KindRules {
  readonly validate?: (c: Check) => void;
  /** Talos's V1Alpha1ConflictValidate: the first conflict's message, or undefined. */
  readonly conflict?: (legacy: Data, c: Check) => string | undefined;
}

export type KindTable = Readonly<Record<string, KindRules>>;
