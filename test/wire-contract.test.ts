// Checks the generated descriptors in src/gen against the wire contract in reference/talos:
// every service and method, every message field, every enum value, and nothing extra.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createRegistry,
  type DescField,
  type DescFile,
  type DescMethod,
  type Registry,
  ScalarType,
} from "@bufbuild/protobuf";
import { beforeAll, describe, expect, it } from "vitest";

const CONTRACT_DIR = new URL("../reference/talos/", import.meta.url);
const CONTRACT_FILES = ["api-contract.txt", "resource-specs-contract.txt"];
const GEN_DIR = fileURLToPath(new URL("../src/gen/", import.meta.url));

/** Referenced by the contract but not described in it; our proto keeps it as an empty message. */
const OPAQUE_MESSAGES = new Set(["google.api.expr.v1alpha1.CheckedExpr"]);

interface ContractMethod {
  name: string;
  input: string;
  output: string;
  kind: DescMethod["methodKind"];
  deprecated: boolean;
}

interface ContractField {
  number: number;
  name: string;
  label: "" | "repeated" | "optional";
  type: string;
  oneof: string;
  deprecated: boolean;
}

interface Contract {
  services: Map<string, ContractMethod[]>;
  messages: Map<string, ContractField[]>;
  enums: Map<string, { name: string; number: number }[]>;
}

const SERVICE_RE = /^service (\S+)$/;
const MESSAGE_RE = /^message (\S+)$/;
const ENUM_RE = /^enum (\S+): (.+)$/;
const METHOD_RE = /^ {2}(\w+)\((stream )?(\S+)\) -> (stream )?(\S+)( \[deprecated\])?$/;
const FIELD_RE = /^ {2}(\d+) (\w+) (?:(repeated|optional) )?(\S+)(?: \(oneof (\w+)\))?( \[deprecated\])?$/;
const ENUM_VALUE_RE = /^([A-Z][A-Z0-9_]*)=(-?\d+)$/;

function methodKind(clientStream: boolean, serverStream: boolean): DescMethod["methodKind"] {
  if (clientStream) return serverStream ? "bidi_streaming" : "client_streaming";
  return serverStream ? "server_streaming" : "unary";
}

/** Parses contract text (see the header of the contract files); throws on any line it does not know. */
function parseContract(text: string, into?: Contract): Contract {
  const contract = into ?? { services: new Map(), messages: new Map(), enums: new Map() };
  let methods: ContractMethod[] | undefined;
  let fields: ContractField[] | undefined;
  const define = <T>(map: Map<string, T>, name: string, value: T): T => {
    if (map.has(name)) throw new Error(`contract defines ${name} twice`);
    map.set(name, value);
    return value;
  };
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    const where = `contract line ${index + 1}: ${JSON.stringify(line)}`;
    if (line === "" || line.startsWith("#")) {
      methods = undefined;
      fields = undefined;
      return;
    }
    const service = SERVICE_RE.exec(line);
    const message = MESSAGE_RE.exec(line);
    const enumeration = ENUM_RE.exec(line);
    if (service || message || enumeration) {
      methods = service ? define(contract.services, service[1], []) : undefined;
      fields = message ? define(contract.messages, message[1], []) : undefined;
      if (enumeration) {
        const values = enumeration[2].split(" ").map((entry) => {
          const v = ENUM_VALUE_RE.exec(entry);
          if (!v) throw new Error(`bad enum value in ${where}`);
          return { name: v[1], number: Number(v[2]) };
        });
        define(contract.enums, enumeration[1], values);
      }
      return;
    }
    const method = methods ? METHOD_RE.exec(line) : null;
    if (methods && method) {
      methods.push({
        name: method[1],
        input: method[3],
        output: method[5],
        kind: methodKind(method[2] !== undefined, method[4] !== undefined),
        deprecated: method[6] !== undefined,
      });
      return;
    }
    const field = fields ? FIELD_RE.exec(line) : null;
    if (fields && field) {
      const number = Number(field[1]);
      if (fields.some((f) => f.number === number)) throw new Error(`field number reused at ${where}`);
      fields.push({
        number,
        name: field[2],
        label: (field[3] ?? "") as ContractField["label"],
        type: field[4],
        oneof: field[5] ?? "",
        deprecated: field[6] !== undefined,
      });
      return;
    }
    throw new Error(`unrecognised ${where}`);
  });
  return contract;
}

function scalarName(scalar: ScalarType): string {
  return ScalarType[scalar].toLowerCase();
}

/** The generated field in the contract's own notation, so the two compare as plain objects. */
function describeField(field: DescField): ContractField {
  let label: ContractField["label"] = field.proto.proto3Optional ? "optional" : "";
  let type: string;
  switch (field.fieldKind) {
    case "scalar":
      type = scalarName(field.scalar);
      break;
    case "enum":
      type = field.enum.typeName;
      break;
    case "message":
      type = field.message.typeName;
      break;
    case "list":
      label = "repeated";
      type =
        field.listKind === "scalar"
          ? scalarName(field.scalar)
          : field.listKind === "enum"
            ? field.enum.typeName
            : field.message.typeName;
      break;
    case "map": {
      const value =
        field.mapKind === "scalar"
          ? scalarName(field.scalar)
          : field.mapKind === "enum"
            ? field.enum.typeName
            : field.message.typeName;
      type = `map<${scalarName(field.mapKey)},${value}>`;
      break;
    }
  }
  return {
    number: field.number,
    name: field.name,
    label,
    type,
    oneof: field.oneof?.name ?? "",
    deprecated: field.deprecated,
  };
}

interface Checked {
  services: number;
  methods: number;
  messages: number;
  fields: number;
  enums: number;
  values: number;
}

/** Compares the contract with the registry; returns one line per mismatch and what was checked. */
function compareContract(contract: Contract, registry: Registry): { mismatches: string[]; checked: Checked } {
  const mismatches: string[] = [];
  const checked: Checked = { services: 0, methods: 0, messages: 0, fields: 0, enums: 0, values: 0 };
  const show = (value: unknown) => JSON.stringify(value);

  for (const [name, methods] of contract.services) {
    const service = registry.getService(name);
    if (!service) {
      mismatches.push(`service ${name}: not generated`);
      continue;
    }
    checked.services += 1;
    for (const want of methods) {
      const method = service.methods.find((m) => m.name === want.name);
      if (!method) {
        mismatches.push(`method ${name}.${want.name}: not generated`);
        continue;
      }
      checked.methods += 1;
      const got: ContractMethod = {
        name: method.name,
        input: method.input.typeName,
        output: method.output.typeName,
        kind: method.methodKind,
        deprecated: method.deprecated,
      };
      if (show(got) !== show(want)) {
        mismatches.push(`method ${name}.${want.name}: contract ${show(want)}, generated ${show(got)}`);
      }
    }
    for (const method of service.methods) {
      if (!methods.some((m) => m.name === method.name)) {
        mismatches.push(`method ${name}.${method.name}: generated but not in the contract`);
      }
    }
  }

  for (const [name, fields] of contract.messages) {
    const message = registry.getMessage(name);
    if (!message) {
      mismatches.push(`message ${name}: not generated`);
      continue;
    }
    checked.messages += 1;
    for (const want of fields) {
      const field = message.fields.find((f) => f.number === want.number);
      if (!field) {
        mismatches.push(`field ${name} #${want.number} (${want.name}): not generated`);
        continue;
      }
      checked.fields += 1;
      const got = describeField(field);
      if (show(got) !== show(want)) {
        mismatches.push(`field ${name} #${want.number}: contract ${show(want)}, generated ${show(got)}`);
      }
    }
    for (const field of message.fields) {
      if (!fields.some((f) => f.number === field.number)) {
        mismatches.push(`field ${name} #${field.number} (${field.name}): generated but not in the contract`);
      }
    }
  }

  for (const [name, values] of contract.enums) {
    const desc = registry.getEnum(name);
    if (!desc) {
      mismatches.push(`enum ${name}: not generated`);
      continue;
    }
    checked.enums += 1;
    const got = desc.values.map((v) => ({ name: v.name, number: v.number }));
    for (const want of values) {
      if (got.some((v) => v.name === want.name && v.number === want.number)) {
        checked.values += 1;
      } else {
        mismatches.push(`enum ${name}: value ${want.name}=${want.number} not generated`);
      }
    }
    for (const v of got) {
      if (!values.some((w) => w.name === v.name && w.number === v.number)) {
        mismatches.push(`enum ${name}: value ${v.name}=${v.number} generated but not in the contract`);
      }
    }
  }
  return { mismatches, checked };
}

/** Every type declared in our own generated files (well-known types excluded). */
function declaredTypes(files: DescFile[]): { kind: string; typeName: string }[] {
  const out: { kind: string; typeName: string }[] = [];
  const walk = (desc: { kind: string; typeName: string }) =>
    out.push({ kind: desc.kind, typeName: desc.typeName });
  for (const file of files) {
    for (const service of file.services) walk(service);
    for (const e of file.enums) walk(e);
    const messages = [...file.messages];
    while (messages.length > 0) {
      const message = messages.shift()!;
      walk(message);
      messages.push(...message.nestedMessages);
      for (const e of message.nestedEnums) walk(e);
    }
  }
  return out;
}

function listGenerated(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listGenerated(path);
    return entry.name.endsWith("_pb.ts") ? [path] : [];
  });
}

function isDescFile(value: unknown): value is DescFile {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "file";
}

async function loadGeneratedFiles(): Promise<DescFile[]> {
  const files: DescFile[] = [];
  for (const path of listGenerated(GEN_DIR).sort()) {
    const module: Record<string, unknown> = await import(pathToFileURL(path).href);
    files.push(...Object.values(module).filter(isDescFile));
  }
  return files;
}

function withDependencies(files: DescFile[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    if (seen.has(file.name)) return;
    seen.set(file.name, file);
    file.dependencies.forEach(visit);
  };
  files.forEach(visit);
  return [...seen.values()];
}

function readContracts(): { text: Map<string, string>; contract: Contract } {
  const text = new Map<string, string>();
  const contract: Contract = { services: new Map(), messages: new Map(), enums: new Map() };
  for (const name of CONTRACT_FILES) {
    const content = readFileSync(new URL(name, CONTRACT_DIR), "utf8");
    text.set(name, content);
    parseContract(content, contract);
  }
  return { text, contract };
}

describe("wire contract", () => {
  let generated: DescFile[];
  let registry: Registry;
  let contract: Contract;
  let apiText: string;

  beforeAll(async () => {
    generated = await loadGeneratedFiles();
    registry = createRegistry(...withDependencies(generated));
    const read = readContracts();
    contract = read.contract;
    apiText = read.text.get("api-contract.txt")!;
  });

  it("loads one descriptor per generated file", () => {
    expect(generated.length).toBe(listGenerated(GEN_DIR).length);
    expect(generated.length).toBeGreaterThan(0);
  });

  it("matches every service and method", () => {
    const only: Contract = { services: contract.services, messages: new Map(), enums: new Map() };
    expect(compareContract(only, registry).mismatches).toEqual([]);
  });

  it("matches every message field", () => {
    const only: Contract = { services: new Map(), messages: contract.messages, enums: new Map() };
    expect(compareContract(only, registry).mismatches).toEqual([]);
  });

  it("matches every enum value", () => {
    const only: Contract = { services: new Map(), messages: new Map(), enums: contract.enums };
    expect(compareContract(only, registry).mismatches).toEqual([]);
  });

  it("declares no type beyond the contract", () => {
    const known = new Set([
      ...contract.services.keys(),
      ...contract.messages.keys(),
      ...contract.enums.keys(),
    ]);
    const extra = declaredTypes(generated)
      .filter((t) => !known.has(t.typeName) && !OPAQUE_MESSAGES.has(t.typeName))
      .map((t) => `${t.kind} ${t.typeName}`);
    expect(extra).toEqual([]);
  });

  it("checks everything the parser found", () => {
    const { checked } = compareContract(contract, registry);
    const count = <T>(map: Map<string, T[]>) => [...map.values()].reduce((n, list) => n + list.length, 0);
    const found: Checked = {
      services: contract.services.size,
      methods: count(contract.services),
      messages: contract.messages.size,
      fields: count(contract.messages),
      enums: contract.enums.size,
      values: count(contract.enums),
    };
    for (const value of Object.values(found)) expect(value).toBeGreaterThan(0);
    expect(checked).toEqual(found);
    console.info(
      `wire contract: ${checked.services} services, ${checked.methods} methods, ${checked.messages} messages ` +
        `(${checked.fields} fields), ${checked.enums} enums (${checked.values} values) checked`,
    );
  });

  describe("reports a deliberately altered contract", () => {
    const altered = (from: string, to: string): string[] => {
      expect(apiText).toContain(from);
      return compareContract(parseContract(apiText.replace(from, to)), registry).mismatches;
    };

    it("field number", () => {
      const from = "message machine.ApplyConfigurationRequest\n  1 data bytes\n  4 mode";
      expect(altered(from, from.replace("4 mode", "7 mode"))).toEqual([
        "field machine.ApplyConfigurationRequest #7 (mode): not generated",
        "field machine.ApplyConfigurationRequest #4 (mode): generated but not in the contract",
      ]);
    });

    it("field type and label", () => {
      expect(altered("  2 warnings repeated string", "  2 warnings string")).toEqual([
        expect.stringContaining("field machine.ApplyConfiguration #2"),
      ]);
      expect(altered("  2 expected_phase optional string", "  2 expected_phase string")).toEqual([
        expect.stringContaining("field cosi.resource.UpdateOptions #2"),
      ]);
      expect(altered("  4 size int64\n  5 created_at", "  4 size uint64\n  5 created_at")).toEqual([
        expect.stringContaining("field machine.ImageListResponse #4"),
      ]);
    });

    it("oneof membership and deprecation", () => {
      expect(altered("  2 exit_code int32 (oneof response)", "  2 exit_code int32")).toEqual([
        expect.stringContaining("field machine.LifecycleServiceInstallProgress #2"),
      ]);
      expect(altered("  1 hostname string [deprecated]", "  1 hostname string")).toEqual([
        expect.stringContaining("field common.Metadata #1"),
      ]);
    });

    it("method streaming kind and types", () => {
      expect(altered("Dmesg(machine.DmesgRequest) -> stream", "Dmesg(machine.DmesgRequest) ->")).toEqual([
        expect.stringContaining("method machine.MachineService.Dmesg"),
      ]);
      expect(altered("Read(machine.ReadRequest)", "Read(machine.ListRequest)")).toEqual([
        expect.stringContaining("method machine.MachineService.Read"),
      ]);
    });

    it("enum value", () => {
      expect(altered("STAGED=3 TRY=4", "STAGED=3 TRY=5")).toEqual([
        "enum machine.ApplyConfigurationRequest.Mode: value TRY=5 not generated",
        "enum machine.ApplyConfigurationRequest.Mode: value TRY=4 generated but not in the contract",
      ]);
    });

    it("unknown type", () => {
      expect(altered("message machine.CopyRequest\n", "message machine.CopyRequestX\n")).toEqual([
        "message machine.CopyRequestX: not generated",
      ]);
    });

    it("unparseable line", () => {
      expect(() => parseContract("message a.B\n  one name string\n")).toThrow(/unrecognised contract line 2/);
    });
  });
});
