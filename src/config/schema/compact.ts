// The shape of the generated model (generated/config-model.ts): field trees that refer to
// shared definitions by name, so that each schema generation costs only what differs.
import type { EnumValue, FieldType } from "./types.js";

export interface CompactNode {
  /** A reference to a definition (then no other property is set). */
  readonly ref?: string;
  readonly type?: FieldType;
  readonly fields?: Readonly<Record<string, CompactNode>>;
  readonly required?: readonly string[];
  readonly items?: CompactNode;
  readonly values?: CompactNode;
  readonly enum?: readonly EnumValue[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly deprecated?: boolean;
  /** Keys beyond `fields` are accepted unchecked. */
  readonly open?: boolean;
}

export interface CompactKind {
  /** The definition of the document's root. */
  readonly def: string;
  readonly named: boolean;
  readonly loose?: boolean;
}

export interface CompactVersion {
  readonly kinds: Readonly<Record<string, CompactKind>>;
  /** Definitions this generation uses. */
  readonly defs: readonly string[];
  /** Definition name → pool key, where this generation's copy differs from the newest one. */
  readonly aliases: Readonly<Record<string, string>>;
}

export interface CompactModel {
  readonly versions: Readonly<Record<string, CompactVersion>>;
  readonly defs: Readonly<Record<string, CompactNode>>;
}
