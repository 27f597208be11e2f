// Wire descriptors built on first use, for talosctl's bundle: the build points the generated
// modules (src/gen) at these four functions instead of protobuf-es's, which build the
// descriptor of every message of a file when the module loads (hundreds for machine.proto).
// Here loading a generated module costs nothing; a descriptor is built when a program first
// reads it, and then only with the messages and enums it needs: the closure of the types its
// fields refer to, cut out of the embedded file descriptors and handed to protobuf-es, which
// builds those exactly as it builds whole files. An RPC method builds its request and response
// closures only, so a command that calls MachineService.Version never builds the rest of
// MachineService. The objects returned stand in for protobuf-es's descriptors: the cheap parts
// (kind, names, a service's list of methods) come from a scan of the embedded bytes, the rest
// from the built descriptor. A file's own properties build the whole file.
//
// Descriptors built separately may give one type name several descriptor objects; protobuf-es
// relates messages and descriptors by type name (`$typeName`), never by identity, so they
// interoperate.
import type { DescEnum, DescFile, DescMessage, DescMethod, DescService, Message } from "@bufbuild/protobuf";
import type { GenEnum, GenMessage, GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import * as codegen from "@bufbuild/protobuf/codegenv2";
import { nestedTypes, safeObjectProperty } from "@bufbuild/protobuf/reflect";

// Field numbers of google/protobuf/descriptor.proto that the scan reads.
const FILE_NAME = 1;
const FILE_PACKAGE = 2;
const FILE_MESSAGE = 4;
const FILE_ENUM = 5;
const FILE_SERVICE = 6;
const FILE_EXTENSION = 7;
const MESSAGE_NAME = 1;
const MESSAGE_FIELD = 2;
const MESSAGE_NESTED = 3;
const MESSAGE_ENUM = 4;
const FIELD_TYPE_NAME = 6;
const ENUM_NAME = 1;
const SERVICE_NAME = 1;
const SERVICE_METHOD = 2;
const METHOD_NAME = 1;
const METHOD_INPUT = 2;
const METHOD_OUTPUT = 3;
const METHOD_CLIENT_STREAMING = 5;
const METHOD_SERVER_STREAMING = 6;

const utf8 = new TextDecoder();

/** One field of a protobuf message in its encoding: where the whole entry and its value lie. */
interface Entry {
  readonly field: number;
  /** The entry with its tag, as it is copied into a cut-down file. */
  readonly raw: Uint8Array;
  /** Length-delimited value (strings, messages); empty for other wire types. */
  readonly value: Uint8Array;
  /** Varint value (0 for other wire types). */
  readonly varint: number;
}

function varint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error("truncated file descriptor");
    const b = bytes[pos++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

function entries(bytes: Uint8Array): Entry[] {
  const out: Entry[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [tag, afterTag] = varint(bytes, pos);
    pos = afterTag;
    let value = bytes.subarray(0, 0);
    let number = 0;
    switch (tag & 7) {
      case 0:
        [number, pos] = varint(bytes, pos);
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const [length, afterLength] = varint(bytes, pos);
        value = bytes.subarray(afterLength, afterLength + length);
        pos = afterLength + length;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw new Error(`unexpected wire type ${tag & 7} in a file descriptor`);
    }
    if (pos > bytes.length) throw new Error("truncated file descriptor");
    out.push({ field: tag >>> 3, raw: bytes.subarray(start, pos), value, varint: number });
  }
  return out;
}

function stringOf(list: readonly Entry[], field: number): string {
  const e = list.find((x) => x.field === field);
  return e ? utf8.decode(e.value) : "";
}

function tag(field: number, wireType: number): number[] {
  return encodeVarint((field << 3) | wireType);
}

function encodeVarint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function lengthDelimited(field: number, parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  return concat([Uint8Array.from([...tag(field, 2), ...encodeVarint(length)]), ...parts]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A message as the scan sees it: its name, nested types and the type names its fields use. */
interface MessageShape {
  readonly name: string;
  readonly nested: readonly MessageShape[];
  readonly enums: readonly string[];
}

interface TopLevel {
  readonly raw: Uint8Array;
  readonly name: string;
}

interface TopMessage extends TopLevel {
  readonly shape: MessageShape;
  /** Fully qualified names (no leading dot) its fields, nested ones included, refer to. */
  readonly refs: readonly string[];
}

interface ScannedMethod {
  readonly raw: Uint8Array;
  readonly name: string;
  readonly input: string;
  readonly output: string;
  readonly methodKind: DescMethod["methodKind"];
}

interface ScannedService {
  readonly name: string;
  /** The service's entries other than its methods (name, options). */
  readonly rest: readonly Uint8Array[];
  readonly methods: readonly ScannedMethod[];
}

/** Where a type is declared in a file: a top-level message (nested types included) or enum. */
interface Declared {
  readonly file: LazyFile;
  readonly kind: "message" | "enum";
  readonly top: number;
}

interface FileIndex {
  readonly name: string;
  readonly packagePrefix: string;
  /** File entries other than types and services (name, package, syntax, options). */
  readonly header: readonly Uint8Array[];
  readonly messages: readonly TopMessage[];
  readonly enums: readonly TopLevel[];
  readonly services: readonly ScannedService[];
  readonly types: ReadonlyMap<string, Declared>;
}

function trimDot(name: string): string {
  return name.startsWith(".") ? name.slice(1) : name;
}

function scanMessage(bytes: Uint8Array, refs: Set<string>): MessageShape {
  const list = entries(bytes);
  const nested: MessageShape[] = [];
  const enums: string[] = [];
  for (const e of list) {
    if (e.field === MESSAGE_FIELD) {
      const typeName = stringOf(entries(e.value), FIELD_TYPE_NAME);
      if (typeName !== "") refs.add(trimDot(typeName));
    } else if (e.field === MESSAGE_NESTED) nested.push(scanMessage(e.value, refs));
    else if (e.field === MESSAGE_ENUM) enums.push(stringOf(entries(e.value), ENUM_NAME));
  }
  return { name: stringOf(list, MESSAGE_NAME), nested, enums };
}

function methodKindOf(clientStreaming: boolean, serverStreaming: boolean): DescMethod["methodKind"] {
  if (clientStreaming && serverStreaming) return "bidi_streaming";
  if (clientStreaming) return "client_streaming";
  return serverStreaming ? "server_streaming" : "unary";
}

type AnyFile = DescFile | LazyFile;

/** Type names declared by a file protobuf-es built itself (the well-known types' files). */
const builtFileTypes = new WeakMap<DescFile, ReadonlySet<string>>();

function typesOfBuilt(file: DescFile): ReadonlySet<string> {
  let names = builtFileTypes.get(file);
  if (!names) {
    names = new Set([...nestedTypes(file)].map((t) => t.typeName));
    builtFileTypes.set(file, names);
  }
  return names;
}

/** Descriptors built so far, by type name: the first one built for a name serves it after. */
const built = new Map<string, DescMessage | DescEnum>();

function remember(file: DescFile): void {
  for (const t of nestedTypes(file)) {
    if ((t.kind === "message" || t.kind === "enum") && !built.has(t.typeName)) built.set(t.typeName, t);
  }
}

/** What one build takes from each lazily described file. */
interface Selection {
  readonly messages: Set<number>;
  readonly enums: Set<number>;
}

/**
 * Builds the closure of `roots` (and, for a method, its service cut down to that method) with
 * protobuf-es; returns the built files by their lazy source.
 */
function buildClosure(
  roots: readonly Declared[],
  method?: { readonly file: LazyFile; readonly service: number; readonly method: number },
): Map<LazyFile, DescFile> {
  const selected = new Map<LazyFile, Selection>();
  const queue = [...roots];
  while (queue.length > 0) {
    const d = queue.pop()!;
    let sel = selected.get(d.file);
    if (!sel) {
      sel = { messages: new Set(), enums: new Set() };
      selected.set(d.file, sel);
    }
    const set = d.kind === "message" ? sel.messages : sel.enums;
    if (set.has(d.top)) continue;
    set.add(d.top);
    if (d.kind !== "message") continue;
    for (const ref of d.file.index().messages[d.top]!.refs) {
      const target = d.file.resolve(ref);
      if (target === undefined) throw new Error(`${ref}, used by ${d.file.index().name}, is not declared`);
      if (target !== "built") queue.push(target);
    }
  }
  const files = new Map<LazyFile, DescFile>();
  const cut = (file: LazyFile): DescFile => {
    const done = files.get(file);
    if (done) return done;
    const index = file.index();
    const sel = selected.get(file);
    const parts = [...index.header];
    for (const i of [...(sel?.messages ?? [])].sort((a, b) => a - b)) parts.push(index.messages[i]!.raw);
    for (const i of [...(sel?.enums ?? [])].sort((a, b) => a - b)) parts.push(index.enums[i]!.raw);
    if (method?.file === file) {
      const service = index.services[method.service]!;
      parts.push(lengthDelimited(FILE_SERVICE, [...service.rest, service.methods[method.method]!.raw]));
    }
    const deps = file.imports.map((d) => (d instanceof LazyFile ? cut(d) : d));
    const desc = codegen.fileDesc(Buffer.from(concat(parts)).toString("base64"), deps);
    files.set(file, desc);
    remember(desc);
    return desc;
  };
  for (const file of selected.keys()) cut(file);
  if (method) cut(method.file);
  return files;
}

/** A generated file's descriptor, scanned when first asked about and built in parts. */
class LazyFile {
  readonly kind = "file";
  private scanned: FileIndex | undefined;
  private whole: DescFile | undefined;
  private readonly resolved = new Map<string, Declared | "built" | undefined>();

  constructor(
    private readonly b64: string,
    readonly imports: readonly AnyFile[],
  ) {}

  index(): FileIndex {
    if (this.scanned) return this.scanned;
    const list = entries(Buffer.from(this.b64, "base64"));
    const pkg = stringOf(list, FILE_PACKAGE);
    const packagePrefix = pkg === "" ? "" : `${pkg}.`;
    const header: Uint8Array[] = [];
    const messages: TopMessage[] = [];
    const enums: TopLevel[] = [];
    const services: ScannedService[] = [];
    const types = new Map<string, Declared>();
    const declare = (shape: MessageShape, prefix: string, top: number): void => {
      const name = `${prefix}${shape.name}`;
      types.set(name, { file: this, kind: "message", top });
      for (const e of shape.enums) types.set(`${name}.${e}`, { file: this, kind: "message", top });
      for (const n of shape.nested) declare(n, `${name}.`, top);
    };
    for (const e of list) {
      if (e.field === FILE_MESSAGE) {
        const refs = new Set<string>();
        const shape = scanMessage(e.value, refs);
        declare(shape, packagePrefix, messages.length);
        messages.push({ raw: e.raw, name: shape.name, shape, refs: [...refs] });
      } else if (e.field === FILE_ENUM) {
        const name = stringOf(entries(e.value), ENUM_NAME);
        types.set(`${packagePrefix}${name}`, { file: this, kind: "enum", top: enums.length });
        enums.push({ raw: e.raw, name });
      } else if (e.field === FILE_SERVICE) {
        const own = entries(e.value);
        services.push({
          name: stringOf(own, SERVICE_NAME),
          rest: own.filter((x) => x.field !== SERVICE_METHOD).map((x) => x.raw),
          methods: own
            .filter((x) => x.field === SERVICE_METHOD)
            .map((x) => {
              const m = entries(x.value);
              const flag = (field: number): boolean => m.some((y) => y.field === field && y.varint !== 0);
              return {
                raw: x.raw,
                name: stringOf(m, METHOD_NAME),
                input: trimDot(stringOf(m, METHOD_INPUT)),
                output: trimDot(stringOf(m, METHOD_OUTPUT)),
                methodKind: methodKindOf(flag(METHOD_CLIENT_STREAMING), flag(METHOD_SERVER_STREAMING)),
              };
            }),
        });
      } else if (e.field === FILE_EXTENSION) {
        throw new Error("lazy descriptors do not support extensions");
      } else header.push(e.raw);
    }
    this.scanned = {
      name: stringOf(list, FILE_NAME),
      packagePrefix,
      header,
      messages,
      enums,
      services,
      types,
    };
    return this.scanned;
  }

  /** Where a type this file (or a file it imports) declares lives. */
  resolve(typeName: string): Declared | "built" | undefined {
    if (this.resolved.has(typeName)) return this.resolved.get(typeName);
    let found: Declared | "built" | undefined = this.index().types.get(typeName);
    for (const dep of this.imports) {
      if (found !== undefined) break;
      if (dep instanceof LazyFile) found = dep.resolve(typeName);
      else if (typesOfBuilt(dep).has(typeName)) found = "built";
    }
    this.resolved.set(typeName, found);
    return found;
  }

  /** The whole file, built as protobuf-es builds it. */
  full(): DescFile {
    if (!this.whole) {
      this.whole = codegen.fileDesc(
        this.b64,
        this.imports.map((d) => (d instanceof LazyFile ? d.full() : d)),
      );
      remember(this.whole);
    }
    return this.whole;
  }

  /** The built descriptor of a message or enum this file declares. */
  build(typeName: string): DescMessage | DescEnum {
    const known = built.get(typeName);
    if (known) return known;
    const declared = this.index().types.get(typeName);
    if (!declared) throw new Error(`${typeName} is not declared in ${this.index().name}`);
    buildClosure([declared]);
    return built.get(typeName)!;
  }

  /** The type name of the message at `path` (top-level index, then nested indexes). */
  messageName(path: readonly number[]): string {
    const index = this.index();
    let shape = index.messages[path[0]!]!.shape;
    let name = `${index.packagePrefix}${shape.name}`;
    for (const i of path.slice(1)) {
      shape = shape.nested[i]!;
      name = `${name}.${shape.name}`;
    }
    return name;
  }

  /** The type name of the enum at `path` (as enumDesc takes it). */
  enumName(path: readonly number[]): string {
    const index = this.index();
    if (path.length === 1) return `${index.packagePrefix}${index.enums[path[0]!]!.name}`;
    const last = path[path.length - 1]!;
    const owner = path.slice(0, -1);
    let shape = index.messages[owner[0]!]!.shape;
    for (const i of owner.slice(1)) shape = shape.nested[i]!;
    return `${this.messageName(owner)}.${shape.enums[last]!}`;
  }

  get edition() {
    return this.full().edition;
  }
  get name() {
    return this.full().name;
  }
  get dependencies() {
    return this.full().dependencies;
  }
  get enums() {
    return this.full().enums;
  }
  get messages() {
    return this.full().messages;
  }
  get extensions() {
    return this.full().extensions;
  }
  get services() {
    return this.full().services;
  }
  get deprecated() {
    return this.full().deprecated;
  }
  get proto() {
    return this.full().proto;
  }
  toString(): string {
    return this.full().toString();
  }
}

class LazyMessage {
  readonly kind = "message";
  private real: DescMessage | undefined;
  private named: string | undefined;

  constructor(
    private readonly source: LazyFile,
    private readonly path: readonly number[],
  ) {}

  private desc(): DescMessage {
    this.real ??= this.source.build(this.typeName) as DescMessage;
    return this.real;
  }

  get typeName(): string {
    this.named ??= this.source.messageName(this.path);
    return this.named;
  }
  get name() {
    return this.desc().name;
  }
  get file() {
    return this.desc().file;
  }
  get parent() {
    return this.desc().parent;
  }
  get fields() {
    return this.desc().fields;
  }
  get field() {
    return this.desc().field;
  }
  get oneofs() {
    return this.desc().oneofs;
  }
  get members() {
    return this.desc().members;
  }
  get nestedEnums() {
    return this.desc().nestedEnums;
  }
  get nestedMessages() {
    return this.desc().nestedMessages;
  }
  get nestedExtensions() {
    return this.desc().nestedExtensions;
  }
  get deprecated() {
    return this.desc().deprecated;
  }
  get proto() {
    return this.desc().proto;
  }
  toString(): string {
    return `message ${this.typeName}`;
  }
}

class LazyEnum {
  readonly kind = "enum";
  private real: DescEnum | undefined;
  private named: string | undefined;

  constructor(
    private readonly source: LazyFile,
    private readonly path: readonly number[],
  ) {}

  private desc(): DescEnum {
    this.real ??= this.source.build(this.typeName) as DescEnum;
    return this.real;
  }

  get typeName(): string {
    this.named ??= this.source.enumName(this.path);
    return this.named;
  }
  get name() {
    return this.desc().name;
  }
  get file() {
    return this.desc().file;
  }
  get parent() {
    return this.desc().parent;
  }
  get open() {
    return this.desc().open;
  }
  get values() {
    return this.desc().values;
  }
  get value() {
    return this.desc().value;
  }
  get sharedPrefix() {
    return this.desc().sharedPrefix;
  }
  get deprecated() {
    return this.desc().deprecated;
  }
  get proto() {
    return this.desc().proto;
  }
  toString(): string {
    return `enum ${this.typeName}`;
  }
}

class LazyMethod {
  readonly kind = "rpc";
  readonly name: string;
  readonly localName: string;
  readonly methodKind: DescMethod["methodKind"];
  private real: DescMethod | undefined;

  constructor(
    readonly parent: LazyService,
    private readonly source: LazyFile,
    private readonly serviceIndex: number,
    private readonly methodIndex: number,
    scanned: ScannedMethod,
  ) {
    this.name = scanned.name;
    // protobuf-es's rule for a method's local name.
    this.localName = safeObjectProperty(
      scanned.name.length > 0
        ? safeObjectProperty(scanned.name[0]!.toLowerCase() + scanned.name.slice(1))
        : "",
    );
    this.methodKind = scanned.methodKind;
  }

  /** The method as protobuf-es builds it, in a service cut down to it and its two messages. */
  private desc(): DescMethod {
    if (!this.real) {
      const scanned = this.source.index().services[this.serviceIndex]!.methods[this.methodIndex]!;
      const roots: Declared[] = [];
      for (const typeName of [scanned.input, scanned.output]) {
        const d = this.source.resolve(typeName);
        if (d === undefined) throw new Error(`${typeName}, used by ${this.toString()}, is not declared`);
        if (d !== "built") roots.push(d);
      }
      const files = buildClosure(roots, {
        file: this.source,
        service: this.serviceIndex,
        method: this.methodIndex,
      });
      this.real = files.get(this.source)!.services[0]!.methods[0]!;
    }
    return this.real;
  }

  get input() {
    return this.desc().input;
  }
  get output() {
    return this.desc().output;
  }
  get idempotency() {
    return this.desc().idempotency;
  }
  get deprecated() {
    return this.desc().deprecated;
  }
  get proto() {
    return this.desc().proto;
  }
  toString(): string {
    return `rpc ${this.parent.typeName}.${this.name}`;
  }
}

class LazyService {
  readonly kind = "service";
  private list: LazyMethod[] | undefined;
  private byName: Record<string, LazyMethod> | undefined;

  constructor(
    private readonly source: LazyFile,
    private readonly index: number,
  ) {}

  private scanned(): ScannedService {
    return this.source.index().services[this.index]!;
  }
  private desc(): DescService {
    return this.source.full().services[this.index]!;
  }

  get typeName(): string {
    return `${this.source.index().packagePrefix}${this.scanned().name}`;
  }
  get name(): string {
    return this.scanned().name;
  }
  get file() {
    return this.source;
  }
  /** The methods, each building its messages when first called. */
  get methods(): LazyMethod[] {
    this.list ??= this.scanned().methods.map((m, i) => new LazyMethod(this, this.source, this.index, i, m));
    return this.list;
  }
  get method(): Record<string, LazyMethod> {
    this.byName ??= Object.fromEntries(this.methods.map((m) => [m.localName, m]));
    return this.byName;
  }
  get deprecated() {
    return this.desc().deprecated;
  }
  get proto() {
    return this.desc().proto;
  }
  toString(): string {
    return `service ${this.typeName}`;
  }
}

function lazyFile(file: DescFile): LazyFile {
  if (!(file instanceof LazyFile)) throw new Error("a lazily built descriptor needs a lazily built file");
  return file;
}

export function fileDesc(b64: string, imports?: DescFile[]): DescFile {
  return new LazyFile(b64, imports ?? []) as unknown as DescFile;
}

export function messageDesc<
  Shape extends Message,
  Opt extends { jsonType?: unknown; validType?: unknown } = { jsonType: undefined; validType: undefined },
>(file: DescFile, path: number, ...paths: number[]): GenMessage<Shape, Opt> {
  return new LazyMessage(lazyFile(file), [path, ...paths]) as unknown as GenMessage<Shape, Opt>;
}

export function enumDesc<Shape extends number>(
  file: DescFile,
  path: number,
  ...paths: number[]
): GenEnum<Shape> {
  return new LazyEnum(lazyFile(file), [path, ...paths]) as unknown as GenEnum<Shape>;
}

export function serviceDesc<T extends GenServiceMethods>(
  file: DescFile,
  path: number,
  ...paths: number[]
): GenService<T> {
  if (paths.length > 0) throw new Error("services are not nested");
  return new LazyService(lazyFile(file), path) as unknown as GenService<T>;
}
