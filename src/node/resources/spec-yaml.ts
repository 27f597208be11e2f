// yaml_spec from a spec message. Talos writes yaml_spec by marshalling its Go spec struct with
// go-yaml, so the keys, their order and which zero fields are left out follow the Go struct's
// tags, not the protobuf message. A layout names them for one message, in Go's field order:
//
//   "alias? altNames? index type speedMbit=speed_megabits? flags:linkFlags vlan?"
//
// Each token is `key[=proto_field][?][!][:codec]`: the YAML key; the protobuf field when its name
// is not the key (names match ignoring case and underscores); `?` for `omitempty`; `!` for a Go
// pointer (unset is written `null`); `:codec` for a Go type with its own text form (see
// registerCodec). `+proto_field` inlines a nested struct or map into the parent (`yaml:",inline"`).
// Fields of the message a layout leaves out are not in yaml_spec. Messages without a layout are
// written with every field in protobuf order under its JSON name.
//
// go-yaml's `omitempty` treats a struct as empty when its exported fields are; Go's netip types
// have none, so an `omitempty` address, prefix or address:port is never written.
import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import type { CheckedExpr } from "../../gen/google/api/expr/v1alpha1/checked_pb.js";
import { formatGoDuration } from "../../wire/index.js";
import { checkedExprText } from "./cel-expr.js";
import { CODECS, type Codec } from "./codecs.js";
import { enumText } from "./enum-text.js";
import { SPEC_LAYOUTS } from "./layouts.js";

interface FieldLayout {
  /** The YAML key; empty for an inlined field. */
  readonly key: string;
  readonly inline: boolean;
  readonly field: DescField;
  readonly omitEmpty: boolean;
  readonly pointer: boolean;
  readonly codec: Codec | undefined;
}

const COMPILED = new Map<string, readonly FieldLayout[]>();

/** Whether a message has a declared layout (tests check every populated spec has one). */
export function hasLayout(message: string): boolean {
  return Object.hasOwn(SPEC_LAYOUTS, message);
}

function squash(name: string): string {
  return name.replace(/_/g, "").toLowerCase();
}

function compile(schema: DescMessage): readonly FieldLayout[] {
  const cached = COMPILED.get(schema.typeName);
  if (cached) return cached;
  const text = hasLayout(schema.typeName) ? SPEC_LAYOUTS[schema.typeName] : undefined;
  let layout: FieldLayout[];
  if (text === undefined) {
    layout = schema.fields.map((field) => ({
      key: field.jsonName,
      inline: false,
      field,
      omitEmpty: false,
      pointer: false,
      codec: undefined,
    }));
  } else {
    layout = text
      .split(/\s+/)
      .filter(Boolean)
      .map((token) => {
        const m = /^(\+)?([A-Za-z0-9_]+)(?:=([A-Za-z0-9_]+))?(\?)?(!)?(?::([A-Za-z0-9]+))?$/.exec(token);
        if (!m) throw new Error(`${schema.typeName}: bad layout token ${JSON.stringify(token)}`);
        const [, plus, key, protoName, omit, pointer, codecName] = m as unknown as [
          string,
          string | undefined,
          string,
          string | undefined,
          string | undefined,
          string | undefined,
          string | undefined,
        ];
        const wanted = squash(protoName ?? key);
        const field = schema.fields.find((f) => squash(f.name) === wanted);
        if (!field) throw new Error(`${schema.typeName}: no protobuf field for YAML key ${key}`);
        let codec: Codec | undefined;
        if (codecName !== undefined) {
          codec = Object.hasOwn(CODECS, codecName) ? CODECS[codecName] : undefined;
          if (!codec) throw new Error(`${schema.typeName}: unknown codec ${codecName}`);
        }
        const inline = plus !== undefined;
        return {
          key: inline ? "" : key,
          inline,
          field,
          omitEmpty: omit !== undefined,
          pointer: pointer !== undefined,
          codec,
        };
      });
  }
  COMPILED.set(schema.typeName, layout);
  return layout;
}

/** The spec as the plain data go-yaml would write (key order kept). */
export function messageView(schema: DescMessage, message: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const record = message as Record<string, unknown>;
  for (const f of compile(schema)) {
    const raw = record[f.field.localName];
    if (f.omitEmpty && isEmpty(f.field, raw)) continue;
    const value = f.codec ? f.codec(raw) : fieldValue(f.field, raw, f.pointer);
    if (f.inline) {
      if (value !== null && typeof value === "object") Object.assign(out, value);
    } else {
      out[f.key] = value;
    }
  }
  return out;
}

/** Whether go-yaml's `omitempty` leaves the field out (its zero value, an empty list or map). */
function isEmpty(field: DescField, raw: unknown): boolean {
  switch (field.fieldKind) {
    case "list":
      return !Array.isArray(raw) || raw.length === 0;
    case "map":
      return raw === undefined || Object.keys(raw as object).length === 0;
    case "message":
      if (NETIP.has(field.message.typeName)) return true;
      return raw === undefined || isZeroMessage(field.message, raw as object);
    case "enum":
      return raw === 0 || raw === undefined;
    default:
      return raw === undefined || raw === "" || raw === 0 || raw === 0n || raw === false || isEmptyBytes(raw);
  }
}

function isEmptyBytes(raw: unknown): boolean {
  return raw instanceof Uint8Array && raw.length === 0;
}

/** Messages that stand for Go's netip types (structs without exported fields). */
const NETIP = new Set(["common.NetIP", "common.NetIPPrefix", "common.NetIPPort"]);

/** A struct is zero when all its fields are (go-yaml's test for `omitempty` structs). */
function isZeroMessage(schema: DescMessage, message: object): boolean {
  if (schema.typeName === "google.protobuf.Struct") return Object.keys(message).length === 0;
  if (schema.typeName === "google.api.expr.v1alpha1.CheckedExpr")
    return checkedExprText(message as CheckedExpr) === "";
  const record = message as Record<string, unknown>;
  return schema.fields.every((f) => isEmpty(f, record[f.localName]));
}

function fieldValue(field: DescField, raw: unknown, pointer: boolean): unknown {
  if (raw === undefined && pointer) return null;
  switch (field.fieldKind) {
    case "scalar":
      return scalarValue(raw);
    case "enum":
      return enumValue(field.enum, raw as number);
    case "message":
      return messageValue(field.message, raw);
    case "list":
      return ((raw as unknown[] | undefined) ?? []).map((item) => {
        if (field.listKind === "message") return messageValue(field.message, item);
        if (field.listKind === "enum") return enumValue(field.enum, item as number);
        return scalarValue(item);
      });
    case "map": {
      const entries = Object.entries((raw as Record<string, unknown> | undefined) ?? {}).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        if (field.mapKind === "message") out[k] = messageValue(field.message, v);
        else if (field.mapKind === "enum") out[k] = enumValue(field.enum, v as number);
        else out[k] = scalarValue(v);
      }
      return out;
    }
  }
}

function scalarValue(raw: unknown): unknown {
  if (typeof raw === "bigint") {
    return raw >= BigInt(Number.MIN_SAFE_INTEGER) && raw <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(raw)
      : raw;
  }
  // go-yaml writes a []byte as a sequence of numbers.
  if (raw instanceof Uint8Array) return Array.from(raw);
  return raw;
}

function enumValue(schema: DescEnum, value: number): unknown {
  return enumText(schema, value);
}

/** Well-known and common messages that Go types write as text. */
function messageValue(schema: DescMessage, raw: unknown): unknown {
  const value = (raw ?? create(schema)) as Record<string, unknown>;
  switch (schema.typeName) {
    case "common.NetIP":
      return ipText(value.ip as Uint8Array);
    case "common.NetIPPrefix": {
      const ip = ipText(value.ip as Uint8Array);
      return ip === "" ? "" : `${ip}/${value.prefixLength as number}`;
    }
    case "common.NetIPPort": {
      const ip = ipText(value.ip as Uint8Array);
      if (ip === "") return ":0";
      return ip.includes(":") ? `[${ip}]:${value.port as number}` : `${ip}:${value.port as number}`;
    }
    case "common.URL":
      return value.fullPath as string;
    case "google.protobuf.Duration":
      return formatGoDuration(
        BigInt((value.seconds as bigint | undefined) ?? 0n) * 1_000_000_000n +
          BigInt((value.nanos as number) ?? 0),
      );
    case "google.protobuf.Timestamp":
      return goTime(BigInt((value.seconds as bigint | undefined) ?? 0n), (value.nanos as number) ?? 0);
    case "google.protobuf.Struct":
      return raw ?? {};
    // siderolabs/talos: pkg/machinery/cel writes an expression as its text.
    case "google.api.expr.v1alpha1.CheckedExpr":
      return checkedExprText(value as CheckedExpr);
    // siderolabs/crypto's PEM types write their bytes in base64.
    case "common.PEMEncodedCertificateAndKey":
      return { crt: base64(value.crt), key: base64(value.key) };
    case "common.PEMEncodedCertificate":
      return { crt: base64(value.crt) };
    case "common.PEMEncodedKey":
      return { key: base64(value.key) };
    default:
      return messageView(schema, value);
  }
}

function base64(bytes: unknown): string {
  return bytes instanceof Uint8Array ? Buffer.from(bytes).toString("base64") : "";
}

/** An IP address as Go's netip.Addr writes it; the zero address is empty text. */
export function ipText(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.length === 0) return "";
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // An IPv4-mapped address keeps its dotted tail, as Go writes it.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${Array.from(bytes.subarray(12)).join(".")}`;
  }
  // The longest run of two or more zero groups becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** IP text to bytes (4 for IPv4, 16 for IPv6); empty text is the zero address. */
export function ipBytes(text: string): Uint8Array {
  if (text === "") return new Uint8Array();
  if (!text.includes(":")) return Uint8Array.from(text.split(".").map(Number));
  const [head = "", tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const parse = (part: string): number[] =>
    part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  const groups = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** A time as go-yaml writes a time.Time: RFC 3339 with the nanoseconds it has, in UTC. */
export function goTime(seconds: bigint, nanos: number): string {
  const base = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  if (nanos === 0) return `${base}Z`;
  const frac = String(nanos).padStart(9, "0").replace(/0+$/, "");
  return `${base}.${frac}Z`;
}
