// The node's COSI resources end to end: every type of Talos's catalogue registered (checked
// against reference/talos/resource-catalogue.txt through `talosctl get rd`), both encodings of
// every populated resource agreeing, config changes and META writes flowing to resources live
// (versions, watch events, tail replay), and Talos's access rules.
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { create, type DescField, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { ResourceDefinitionSpecSchema } from "../src/gen/cosi/resource/meta/meta_pb.js";
import type { Resource } from "../src/gen/cosi/resource/resource_pb.js";
import {
  CreateRequestSchema,
  DestroyRequestSchema,
  EventType,
  GetRequestSchema,
  GetResponseSchema,
  ListRequestSchema,
  ListResponseSchema,
  UpdateRequestSchema,
  WatchRequestSchema,
  type WatchResponse,
  WatchResponseSchema,
} from "../src/gen/cosi/resource/state_pb.js";
import type { CheckedExpr } from "../src/gen/google/api/expr/v1alpha1/checked_pb.js";
import { MetaDeleteRequestSchema, MetaWriteRequestSchema } from "../src/gen/machine/machine_pb.js";
import { checkedExprText, specMessage } from "../src/node/resources/index.js";
import { REFERENCE } from "./helpers/cli.js";
import {
  type ConfiguredNode,
  startConfiguredNode,
  startInProcess,
  talosconfigFor,
} from "./helpers/cluster.js";
import { mtlsClient, streamCall, unaryCall } from "./helpers/node.js";

const STATE = "/cosi.resource.State";

// ---------------------------------------------------------------------------------------------
// The catalogue as the reference file states it (read here, not through the generator).

interface RefType {
  type: string;
  namespace: string;
  sensitive: boolean;
  spec: string;
  columns: { name: string; jsonPath: string }[];
  display: string;
  aliases: string[];
  allAliases: string[];
}

function readCatalogue(): { types: RefType[]; namespaces: string[] } {
  const text = fs.readFileSync(path.join(REFERENCE, "resource-catalogue.txt"), "utf8");
  const namespaces = /^# namespaces registered \(in order\): (.*)$/m.exec(text)![1]!.split(" ");
  const types: RefType[] = [];
  for (const block of text.split(/\n(?=type )/).filter((b) => b.startsWith("type "))) {
    const field = (key: string) => new RegExp(`^  ${key} (.*)$`, "m").exec(block)?.[1] ?? "";
    types.push({
      type: block.slice(5, block.indexOf("\n")),
      namespace: field("namespace"),
      sensitive: field("sensitive") === "yes",
      spec: field("spec").split(" ")[0]!,
      columns: [...block.matchAll(/^ {2}column (.*) (\S+)$/gm)].map((m) => ({
        name: m[1]!,
        jsonPath: m[2]!,
      })),
      display: field("display"),
      aliases: field("rd-aliases").split(" "),
      allAliases: field("rd-all-aliases").split(" "),
    });
  }
  return { types, namespaces };
}

const CATALOGUE = readCatalogue();

// ---------------------------------------------------------------------------------------------
// gRPC helpers (raw bytes, generated messages only).

async function list(client: grpc.Client, namespace: string, type: string): Promise<Resource[]> {
  const body = toBinary(ListRequestSchema, create(ListRequestSchema, { namespace, type }));
  const messages = await streamCall(client, `${STATE}/List`, body).done;
  return messages.map((m) => fromBinary(ListResponseSchema, m).resource!);
}

async function get(client: grpc.Client, namespace: string, type: string, id: string): Promise<Resource> {
  const body = toBinary(GetRequestSchema, create(GetRequestSchema, { namespace, type, id }));
  return fromBinary(GetResponseSchema, await unaryCall(client, `${STATE}/Get`, body)).resource!;
}

/** A watch whose events are collected as they come (after the empty "ready" message). */
function watch(client: grpc.Client, request: Parameters<typeof create<typeof WatchRequestSchema>>[1]) {
  const body = toBinary(WatchRequestSchema, create(WatchRequestSchema, { apiVersion: 1, ...request }));
  const stream = streamCall(client, `${STATE}/Watch`, body, { timeoutMs: 60_000 });
  const events = () =>
    stream.messages
      .map((m) => fromBinary(WatchResponseSchema, m) as WatchResponse)
      .flatMap((r) => r.event)
      .map((e) => ({
        type: EventType[e.eventType],
        id: e.resource?.metadata?.id ?? "",
        version: e.resource?.metadata?.version ?? "",
        yaml: e.resource?.spec?.yamlSpec ?? "",
      }));
  return {
    stream,
    events,
    /** Waits until an event matches. */
    async until(match: (e: ReturnType<typeof events>[number]) => boolean, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events().find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event in ${JSON.stringify(events())}`);
        await stream
          .waitFor(stream.messages.length + 1, Math.max(1, deadline - Date.now()))
          .catch(() => undefined);
      }
    },
  };
}

/** The certificate a TLS server at `host:port` presents (DER). */
function servedCertificate(address: string): Promise<Buffer> {
  const colon = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      {
        host: address.slice(0, colon),
        port: Number(address.slice(colon + 1)),
        rejectUnauthorized: false,
        ALPNProtocols: ["h2"],
      },
      () => {
        resolve(socket.getPeerCertificate().raw);
        socket.destroy();
      },
    );
    socket.on("error", reject);
  });
}

function grpcError(err: unknown): { code: number; details: string } {
  const e = err as { code: number; details: string };
  return { code: e.code, details: e.details };
}

// ---------------------------------------------------------------------------------------------
// proto_spec against yaml_spec, compared without the node's code: the decoded message is walked
// field by field and each value checked against the YAML value under the Go struct's key.

/** YAML keys whose Go names differ from the protobuf field beyond case and underscores, by message. */
const KEY_RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "talos.resource.definitions.network.LinkStatusSpec": { speedmbit: "speedmegabits" },
  "talos.resource.definitions.network.EthernetStatusSpec": { speedmbit: "speedmegabits" },
  "talos.resource.definitions.network.RouteSpecSpec": {
    dst: "destination",
    src: "source",
    layer: "configlayer",
  },
  "talos.resource.definitions.network.RouteStatusSpec": { dst: "destination", src: "source" },
  "talos.resource.definitions.network.TimeServerSpecSpec": {
    timeservers: "ntpservers",
    layer: "configlayer",
  },
  "talos.resource.definitions.network.TimeServerStatusSpec": { timeservers: "ntpservers" },
  "talos.resource.definitions.hardware.MemoryModuleSpec": { sizemib: "size" },
  "talos.resource.definitions.hardware.ProcessorSpec": { maxspeedmhz: "maxspeed", bootspeedmhz: "bootspeed" },
  "talos.resource.definitions.runtime.KernelModuleSpecSpec": { string: "name" },
  "talos.resource.definitions.cluster.ControlPlane": { port: "apiserverport" },
  "cosi.resource.meta.ResourceDefinitionSpec": { type: "resourcetype" },
  "talos.resource.definitions.k8s.APIServerConfigSpec": { servicecidr: "servicecidrs" },
  "talos.resource.definitions.k8s.BootstrapManifestsConfigSpec": { string: "server" },
  "talos.resource.definitions.perf.MemorySpec": {
    total: "memtotal",
    used: "memused",
    available: "memavailable",
  },
  "talos.resource.definitions.block.MountRequestSpec": { parentid: "parentmountid" },
};

/** Messages whose YAML is the Kubernetes object one field holds, by message: the field. */
const INLINE_STRUCT: Readonly<Record<string, string>> = {
  "talos.resource.definitions.k8s.StaticPodSpec": "pod",
  "talos.resource.definitions.k8s.StaticPodStatusSpec": "podStatus",
  "talos.resource.definitions.k8s.SingleManifest": "object",
  "talos.resource.definitions.cri.BaseRuntimeSpecConfigSpec": "object",
};

/** Every `layer` key is the spec's config layer. */
const LAYER_KEY = { layer: "configlayer" };

/** Talos's texts of enum values whose protobuf names say something else. */
const ENUM_TEXTS: Readonly<Record<string, string>> = {
  Do53: "DEFAULT",
  DoT: "DNS_OVER_TLS",
  DoH: "DNS_OVER_HTTP",
  loopback: "LOOPBCK",
  configuration: "MACHINE_CONFIGURATION",
};

/** YAML keys of Go fields the protobuf message does not carry. */
const YAML_ONLY: Readonly<Record<string, readonly string[]>> = {
  "cosi.resource.meta.ResourceDefinitionSpec": ["skipAutomaticAliases"],
};

/** go-yaml never writes these Go netip fields when they are `omitempty`. */
const NETIP = new Set(["common.NetIP", "common.NetIPPrefix", "common.NetIPPort"]);

const squash = (s: string) => s.replace(/_/g, "").toLowerCase();

function ipFromBytes(b: Uint8Array): string {
  if (b.length === 0) return "";
  if (b.length === 4) return Array.from(b).join(".");
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(":");
}

/** Expands an IPv6 text to eight groups, so texts compare regardless of `::` placement. */
function canonicalIp(text: string): string {
  if (net.isIP(text) !== 6) return text;
  const [head = "", tail = ""] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = text.includes("::") && tail ? tail.split(":") : [];
  const groups = text.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  return groups.map((g) => Number.parseInt(g, 16).toString(16)).join(":");
}

function goDurationNanos(text: string): number {
  if (text === "0s") return 0;
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 6e10, h: 3.6e12 };
  let total = 0;
  for (const m of text.matchAll(/([\d.]+)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * units[m[2]!]!;
  return Math.round(total);
}

function isZero(field: DescField, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Uint8Array) return value.length === 0;
  if (field.fieldKind === "map") return Object.keys(value as object).length === 0;
  if (typeof value === "object") return false;
  return value === "" || value === 0 || value === 0n || value === false;
}

function compareValue(field: DescField, proto: unknown, yaml: unknown, where: string, out: string[]): void {
  const fail = (why: string): void => {
    out.push(`${where}: ${why} (proto ${String(proto)}, yaml ${JSON.stringify(yaml)})`);
  };
  if (field.fieldKind === "list") {
    const items = (proto as unknown[]) ?? [];
    if (!Array.isArray(yaml) || yaml.length !== items.length) {
      fail("list lengths differ");
      return;
    }
    items.forEach((item, i) => {
      compareOne(field, item, yaml[i], `${where}[${i}]`, out);
    });
    return;
  }
  if (field.fieldKind === "map") {
    const p = (proto as Record<string, unknown>) ?? {};
    const y = (yaml as Record<string, unknown>) ?? {};
    if (Object.keys(p).sort().join() !== Object.keys(y).sort().join()) fail("map keys differ");
    return;
  }
  compareOne(field, proto, yaml, where, out);
}

function compareOne(field: DescField, proto: unknown, yaml: unknown, where: string, out: string[]): void {
  const fail = (why: string): void =>
    void out.push(
      `${where}: ${why} (proto ${JSON.stringify(proto, (_, v) => (typeof v === "bigint" ? String(v) : v))}, yaml ${JSON.stringify(yaml)})`,
    );
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
  if (kind === "enum") {
    const desc =
      field.fieldKind === "list"
        ? field.enum
        : (field as { enum: { values: { number: number; name: string }[] } }).enum;
    const name = desc?.values.find((v) => v.number === proto)?.name ?? "";
    const text = String(yaml);
    const wanted = ENUM_TEXTS[text] ?? text;
    if (!squash(name).endsWith(squash(wanted)) && !new RegExp(`\\(${proto}\\)$`).test(text))
      fail("enum text");
    return;
  }
  if (kind === "message") {
    const schema = (field as { message: DescMessage }).message;
    const value = proto as Record<string, unknown> | undefined;
    switch (schema.typeName) {
      case "common.NetIP":
        if (
          canonicalIp(ipFromBytes((value?.ip as Uint8Array) ?? new Uint8Array())) !==
          canonicalIp(String(yaml))
        )
          fail("IP");
        return;
      case "common.NetIPPrefix": {
        const ip = ipFromBytes((value?.ip as Uint8Array) ?? new Uint8Array());
        const [yIp = "", yBits] = String(yaml).split("/");
        if (canonicalIp(ip) !== canonicalIp(yIp) || (ip !== "" && Number(yBits) !== value?.prefixLength))
          fail("prefix");
        return;
      }
      case "common.NetIPPort": {
        const ip = ipFromBytes((value?.ip as Uint8Array) ?? new Uint8Array());
        const m = /^\[?(.*?)\]?:(\d+)$/.exec(String(yaml));
        if (!m || canonicalIp(m[1]!) !== canonicalIp(ip) || Number(m[2]) !== value?.port)
          fail("address:port");
        return;
      }
      case "common.URL":
        if ((value?.fullPath ?? "") !== yaml) fail("URL");
        return;
      case "google.protobuf.Struct":
        if (canonicalJson(value ?? {}) !== canonicalJson(yaml ?? {})) fail("struct");
        return;
      // A CEL expression: its checked tree in proto_spec, the expression text in yaml_spec.
      case "google.api.expr.v1alpha1.CheckedExpr":
        if (checkedExprText(value as CheckedExpr | undefined) !== yaml) fail("CEL expression");
        return;
      // A time: go-yaml's RFC 3339 text, to the nanosecond.
      case "google.protobuf.Timestamp": {
        const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(String(yaml));
        const want =
          ((value?.seconds as bigint | undefined) ?? 0n) * 1_000_000_000n + BigInt(Number(value?.nanos ?? 0));
        const got = m
          ? BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0") || "0")
          : undefined;
        if (got !== want) fail("time");
        return;
      }
      case "google.protobuf.Duration": {
        const nanos = Number(value?.seconds ?? 0n) * 1e9 + Number(value?.nanos ?? 0);
        if (goDurationNanos(String(yaml)) !== nanos) fail("duration");
        return;
      }
      default:
        if (value === undefined && yaml === null) return;
        compareMessage(schema, value ?? create(schema), yaml, where, out);
        return;
    }
  }
  if (proto instanceof Uint8Array) {
    const hex = Buffer.from(proto).toString("hex");
    const ok = Array.isArray(yaml)
      ? Buffer.from(yaml as number[]).equals(Buffer.from(proto))
      : typeof yaml === "string" &&
        (yaml === Buffer.from(proto).toString("utf8") ||
          yaml === Buffer.from(proto).toString("base64") ||
          yaml.replace(/:/g, "") === hex);
    if (!ok) fail("bytes");
    return;
  }
  if (typeof proto === "bigint" || typeof proto === "number") {
    // Flag sets are written as the names of their bits.
    if (typeof yaml === "string" && /^[A-Za-z_,]*$/.test(yaml)) {
      const bits = Number(proto).toString(2).replace(/0/g, "").length;
      if ((yaml === "" ? 0 : yaml.split(",").length) !== bits) fail("flag count");
      return;
    }
    if (Number(yaml) !== Number(proto)) fail("number");
    return;
  }
  if (proto !== yaml) fail("value");
}

/** JSON with object keys sorted, so that maps compare regardless of key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function compareMessage(
  schema: DescMessage,
  message: object,
  yaml: unknown,
  where: string,
  out: string[],
): void {
  if (yaml === null || typeof yaml !== "object" || Array.isArray(yaml)) {
    out.push(`${where}: expected a mapping, got ${JSON.stringify(yaml)}`);
    return;
  }
  const record = message as Record<string, unknown>;
  // Specs that are one Kubernetes object write the object itself (`yaml:",inline"` or MarshalYAML).
  const inlined = INLINE_STRUCT[schema.typeName];
  if (inlined !== undefined) {
    if (canonicalJson(record[inlined] ?? {}) !== canonicalJson(yaml))
      out.push(`${where}: inlined object differs`);
    return;
  }
  const byName = new Map(schema.fields.map((f) => [squash(f.name), f]));
  const seen = new Set<DescField>();
  for (const [key, value] of Object.entries(yaml)) {
    const renames = { ...LAYER_KEY, ...KEY_RENAMES[schema.typeName] } as Record<string, string>;
    if (YAML_ONLY[schema.typeName]?.includes(key)) continue;
    const field = byName.get(renames[squash(key)] ?? squash(key));
    if (!field) {
      out.push(`${where}.${key}: no protobuf field for this YAML key`);
      continue;
    }
    seen.add(field);
    compareValue(field, record[field.localName], value, `${where}.${key}`, out);
  }
  for (const field of schema.fields) {
    if (seen.has(field) || isZero(field, record[field.localName])) continue;
    if (field.fieldKind === "message" && NETIP.has(field.message.typeName)) continue;
    out.push(`${where}.${field.name}: set in proto_spec but missing from yaml_spec`);
  }
}

// ---------------------------------------------------------------------------------------------

let c: ConfiguredNode;
let admin: grpc.Client;
let reader: grpc.Client;
let operator: grpc.Client;

beforeAll(async () => {
  c = await startConfiguredNode({ args: ["--time-scale", "50", "--hostname", "res-node"] });
  admin = mtlsClient(c.node.address, c.cluster.osCa.crt, c.cluster.admin);
  reader = mtlsClient(c.node.address, c.cluster.osCa.crt, c.cluster.reader);
  operator = mtlsClient(c.node.address, c.cluster.osCa.crt, c.cluster.operator);
  // The network is configured and the clock synced shortly after boot.
  await waitFor(async () => {
    const status = await get(admin, "network", "NetworkStatuses.net.talos.dev", "status");
    return parse(status.spec!.yamlSpec).addressReady === true;
  });
});

afterAll(async () => {
  for (const client of [admin, reader, operator]) client?.close();
  await c?.stop();
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("resource definitions", () => {
  it("lists every catalogue type through talosctl get rd, as Talos registers it", async () => {
    const r = await c.talosctl(["get", "rd", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const docs = r.stdout
      .trim()
      .split(/\n(?=\{)/)
      .map(
        (d) =>
          JSON.parse(d) as { metadata: { id: string; namespace: string }; spec: Record<string, unknown> },
      );
    expect(docs).toHaveLength(CATALOGUE.types.length);
    const byId = new Map(docs.map((d) => [d.metadata.id, d]));
    for (const t of CATALOGUE.types) {
      const d = byId.get(t.type.toLowerCase());
      expect(d, t.type).toBeDefined();
      expect(d!.metadata.namespace).toBe("meta");
      expect(d!.spec, t.type).toMatchObject({
        type: t.type,
        displayType: t.display,
        defaultNamespace: t.namespace,
        aliases: t.aliases,
        allAliases: t.allAliases,
        printColumns: t.columns,
      });
      expect(d!.spec.sensitivity, t.type).toBe(t.sensitive ? "sensitive" : undefined);
    }
  });

  it("sends each definition with the real ResourceDefinitionSpec encoding", async () => {
    const rds = await list(reader, "meta", "ResourceDefinitions.meta.cosi.dev");
    const byId = new Map(rds.map((r) => [r.metadata!.id, r]));
    for (const t of CATALOGUE.types) {
      const spec = fromBinary(ResourceDefinitionSpecSchema, byId.get(t.type.toLowerCase())!.spec!.protoSpec);
      expect(spec, t.type).toMatchObject({
        resourceType: t.type,
        displayType: t.display,
        defaultNamespace: t.namespace,
        aliases: t.aliases,
        allAliases: t.allAliases,
        sensitivity: t.sensitive ? 1 : 0,
      });
      expect(spec.printColumns.map((p) => ({ name: p.name, jsonPath: p.jsonPath }))).toEqual(t.columns);
    }
  });

  it("lists the namespaces with Talos's descriptions", async () => {
    const r = await c.talosctl(["get", "namespaces"]);
    expect(r.code, r.stderr).toBe(0);
    const ids = r.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/)[3]);
    expect(ids).toEqual([...CATALOGUE.namespaces].sort());
    const network = await get(reader, "meta", "Namespaces.meta.cosi.dev", "network-config");
    expect(network.spec!.yamlSpec).toBe("description: Networking configuration resources.\n");
  });

  it("resolves names as talosctl does and refuses the ambiguous ones", async () => {
    for (const name of [
      "links",
      "link",
      "LinkStatus",
      "linkstatuses.net.talos",
      "LINKSTATUSES.NET.TALOS.DEV",
    ]) {
      const r = await c.talosctl(["get", name]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/\nlocalhost|\n127\.0\.0\.1 +network +LinkStatus +eth0 /);
    }
    const ambiguous = await c.talosctl(["get", "ns"]);
    expect(ambiguous.stderr).toBe(
      'rpc error: code = InvalidArgument desc = resource type "ns" is ambiguous: [namespaces.meta.cosi.dev networkstatuses.net.talos.dev nodestatuses.kubernetes.talos.dev]\n',
    );
    const unknown = await c.talosctl(["get", "routez"]);
    expect(unknown).toMatchObject({
      code: 1,
      stdout: "",
      stderr: 'rpc error: code = NotFound desc = resource "routez" is not registered\n',
    });
  });
});

/** Every resource of every type, in the type's default namespace (and network-config). */
async function allResources(): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const t of CATALOGUE.types) {
    for (const ns of t.namespace === "network" ? ["network", "network-config"] : [t.namespace]) {
      out.push(...(await list(admin, ns, t.type)));
    }
  }
  return out;
}

/** Types a configured control plane of this kind populates (Kubernetes, etcd, secrets and block aside). */
const POPULATED = [
  "APIServiceConfigs.runtime.talos.dev",
  "AcquireConfigStatuses.v1alpha1.talos.dev",
  "AddressSpecs.net.talos.dev",
  "AddressStatuses.net.talos.dev",
  "AdjtimeStatuses.v1alpha1.talos.dev",
  "BootIDs.runtime.talos.dev",
  "DNSResolveCaches.net.talos.dev",
  "DNSUpstreams.net.talos.dev",
  "DevicesStatuses.runtime.talos.dev",
  "DiscoveryConfigs.cluster.talos.dev",
  "EtcFileSpecs.files.talos.dev",
  "EtcFileStatuses.files.talos.dev",
  "EthernetStatuses.net.talos.dev",
  "HardwareAddresses.net.talos.dev",
  "HostDNSConfigs.net.talos.dev",
  "HostnameSpecs.net.talos.dev",
  "HostnameStatuses.net.talos.dev",
  "ImageCacheConfigs.cri.talos.dev",
  "Infos.cluster.talos.dev",
  "KernelCmdlines.runtime.talos.dev",
  "KernelModuleStatuses.runtime.talos.dev",
  "KernelParamDefaultSpecs.runtime.talos.dev",
  "KernelParamStatuses.runtime.talos.dev",
  "KubeSpanConfigs.kubespan.talos.dev",
  "KubernetesAccessConfigs.cluster.talos.dev",
  "LoadedKernelModules.runtime.talos.dev",
  "LinkSpecs.net.talos.dev",
  "LinkStatuses.net.talos.dev",
  "MachineConfigs.config.talos.dev",
  "MachineStatuses.runtime.talos.dev",
  "MachineTypes.config.talos.dev",
  "MaintenanceServiceConfigs.runtime.talos.dev",
  "MemoryModules.hardware.talos.dev",
  "MetaLoads.runtime.talos.dev",
  "MountStatuses.runtime.talos.dev",
  "NetworkStatuses.net.talos.dev",
  "NodeAddressSortAlgorithms.net.talos.dev",
  "NodeAddresses.net.talos.dev",
  "Nodenames.kubernetes.talos.dev",
  "OperatorSpecs.net.talos.dev",
  "PCIDevices.hardware.talos.dev",
  "PlatformMetadatas.talos.dev",
  "Processors.hardware.talos.dev",
  "ResolverSpecs.net.talos.dev",
  "ResolverStatuses.net.talos.dev",
  "RouteSpecs.net.talos.dev",
  "RouteStatuses.net.talos.dev",
  "SecurityStates.talos.dev",
  "StaticHosts.net.talos.dev",
  "Services.v1alpha1.talos.dev",
  "SystemInformations.hardware.talos.dev",
  "TimeServerSpecs.net.talos.dev",
  "TimeServerStatuses.net.talos.dev",
  "TimeStatuses.v1alpha1.talos.dev",
  "Versions.runtime.talos.dev",
  "ApiCertificates.secrets.talos.dev",
  "CertSANs.secrets.talos.dev",
  "EtcdRootSecrets.secrets.talos.dev",
  "EtcdSecrets.secrets.talos.dev",
  "KubeletSecrets.secrets.talos.dev",
  "KubernetesDynamicCerts.secrets.talos.dev",
  "KubernetesRootSecrets.secrets.talos.dev",
  "KubernetesSecrets.secrets.talos.dev",
  "MaintenanceRootSecrets.secrets.talos.dev",
  "OSRootSecrets.secrets.talos.dev",
  "TrustdCertificates.secrets.talos.dev",
  "APIServerConfigs.kubernetes.talos.dev",
  "AdmissionControlConfigs.kubernetes.talos.dev",
  "AuditPolicyConfigs.kubernetes.talos.dev",
  "AuthenticationConfigs.kubernetes.talos.dev",
  "AuthorizationConfigs.kubernetes.talos.dev",
  "BootstrapManifestsConfigs.kubernetes.talos.dev",
  "ConfigStatuses.kubernetes.talos.dev",
  "ControllerManagerConfigs.kubernetes.talos.dev",
  "Endpoints.kubernetes.talos.dev",
  "ExtraManifestsConfigs.kubernetes.talos.dev",
  "KubePrismConfigs.kubernetes.talos.dev",
  "KubePrismEndpoints.kubernetes.talos.dev",
  "KubePrismStatuses.kubernetes.talos.dev",
  "KubeletConfigs.kubernetes.talos.dev",
  "KubeletLifecycles.kubernetes.talos.dev",
  "KubeletSpecs.kubernetes.talos.dev",
  "KubeletStatuses.kubernetes.talos.dev",
  "ManifestStatuses.kubernetes.talos.dev",
  "Manifests.kubernetes.talos.dev",
  "NodeIPConfigs.kubernetes.talos.dev",
  "NodeIPs.kubernetes.talos.dev",
  "NodeLabelSpecs.k8s.talos.dev",
  "NodeTaintSpecs.k8s.talos.dev",
  "SchedulerConfigs.kubernetes.talos.dev",
  "SecretStatuses.kubernetes.talos.dev",
  "StaticPodServerStatuses.kubernetes.talos.dev",
  "StaticPodStatuses.kubernetes.talos.dev",
  "StaticPods.kubernetes.talos.dev",
  "EtcdConfigs.etcd.talos.dev",
  "EtcdMembers.etcd.talos.dev",
  "EtcdSpecs.etcd.talos.dev",
  "PKIStatuses.etcd.talos.dev",
  "CPUStats.perf.talos.dev",
  "MemoryStats.perf.talos.dev",
  "SBOMItems.talos.dev",
  "VolumeTrimSchedules.block.talos.dev",
  "Environments.runtime.talos.dev",
  "UniqueMachineTokens.runtime.talos.dev",
  "RegistryConfigs.cri.talos.dev",
  "EtcdEncryptionConfigs.kubernetes.talos.dev",
];

describe("both encodings", () => {
  it("populates what a control plane of this kind has, and every proto_spec agrees with its yaml_spec", async () => {
    const resources = await allResources();
    const types = new Set(resources.map((r) => r.metadata!.type));
    for (const t of POPULATED) expect(types.has(t), t).toBe(true);
    const problems: string[] = [];
    let compared = 0;
    for (const r of resources) {
      const md = r.metadata!;
      const ref = CATALOGUE.types.find((t) => t.type === md.type)!;
      const where = `${md.type}(${md.namespace}/${md.id})`;
      const yaml = parse(r.spec!.yamlSpec) as unknown;
      if (ref.spec === "-") {
        expect(r.spec!.protoSpec, where).toHaveLength(0);
        continue;
      }
      const schema = specMessage(ref.spec);
      expect(schema, ref.spec).toBeDefined();
      const message = fromBinary(schema!, r.spec!.protoSpec);
      // Specs that Talos carries as YAML bytes hold the same text in yaml_spec.
      if (ref.spec === "resource.config.MachineConfigSpec") {
        expect(
          Buffer.from((message as unknown as { yamlMarshalled: Uint8Array }).yamlMarshalled).toString(),
        ).toBe(yaml);
      } else if (ref.spec === "resource.config.MachineTypeSpec") {
        expect(yaml).toBe(
          ["unknown", "init", "controlplane", "worker"][
            (message as unknown as { machineType: number }).machineType
          ],
        );
      } else {
        compareMessage(schema!, message, yaml, where, problems);
      }
      compared++;
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  });

  it("prints the print columns' JSONPaths evaluated on the spec", async () => {
    const r = await c.talosctl(["get", "addresses", "lo/127.0.0.1/8"]);
    expect(r.stdout.split("\n")[1]).toMatch(
      /^127\.0\.0\.1 +network +AddressStatus +lo\/127\.0\.0\.1\/8 +\d+ +127\.0\.0\.1\/8 +lo$/,
    );
    const res = await c.talosctl(["get", "resolvers"]);
    expect(res.stdout.split("\n")[1]).toMatch(/ +\["1\.1\.1\.1","8\.8\.8\.8"\] +\[\]$/);
    const hosts = await c.talosctl(["get", "etcfilespecs", "hosts", "-o", "jsonpath={.spec.contents}"]);
    expect(hosts.stdout).toContain("127.0.0.1 localhost\n");
  });
});

describe("live changes", () => {
  it("applies hostname, addresses, routes, resolvers and time servers, with version bumps and events in order", async () => {
    const hostname = watch(admin, {
      namespace: "network",
      type: "HostnameStatuses.net.talos.dev",
      options: { bootstrapContents: true },
    });
    const addresses = watch(admin, {
      namespace: "network",
      type: "AddressStatuses.net.talos.dev",
      options: { bootstrapContents: true },
    });
    const timeServers = watch(admin, {
      namespace: "network",
      type: "TimeServerStatuses.net.talos.dev",
      id: "timeservers",
    });
    await hostname.until((e) => e.type === "BOOTSTRAPPED");
    await addresses.until((e) => e.type === "BOOTSTRAPPED");
    const before = await get(admin, "network", "HostnameStatuses.net.talos.dev", "hostname");
    expect(parse(before.spec!.yamlSpec)).toEqual({ hostname: "res-node", domainname: "" });

    const docs = parseAllDocuments(c.cluster.controlplane).map((d) => d.toJS() as Record<string, unknown>);
    const kept = docs.filter(
      (d) => !["HostnameConfig", "ResolverConfig", "TimeSyncConfig", "LinkConfig"].includes(String(d.kind)),
    );
    const changed = [
      ...kept,
      { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "live.example.org" },
      { apiVersion: "v1alpha1", kind: "ResolverConfig", nameservers: [{ address: "10.9.0.53" }] },
      { apiVersion: "v1alpha1", kind: "TimeSyncConfig", ntp: { servers: ["ntp.example.org"] } },
      {
        apiVersion: "v1alpha1",
        kind: "LinkConfig",
        name: "eth0",
        addresses: [{ address: "10.9.0.5/24" }],
        routes: [{ gateway: "10.9.0.1" }],
      },
    ];
    const file = path.join(c.dir, "live.yaml");
    fs.writeFileSync(file, changed.map((d) => stringify(d)).join("---\n"));
    const apply = await c.talosctl(["apply-config", "-f", file, "--mode", "no-reboot"]);
    expect(apply.code, apply.stderr).toBe(0);

    const renamed = await hostname.until((e) => e.type === "UPDATED");
    expect(parse(renamed.yaml)).toEqual({ hostname: "live", domainname: "example.org" });
    expect(Number(renamed.version)).toBe(Number(before.metadata!.version) + 1);
    await addresses.until((e) => e.type === "CREATED" && e.id === "eth0/10.9.0.5/24");
    const gone = await addresses.until((e) => e.type === "DESTROYED" && e.id === "eth0/127.0.0.1/24");
    expect(gone).toBeDefined();
    // Within one collection events come in the order they happened.
    const order = addresses.events().filter((e) => e.type !== "CREATED" || e.id.startsWith("eth0/10."));
    expect(order.findIndex((e) => e.id === "eth0/10.9.0.5/24")).toBeLessThan(order.length);
    const ntp = await timeServers.until((e) => e.type === "UPDATED");
    expect(parse(ntp.yaml)).toEqual({ timeServers: ["ntp.example.org"], useNTS: false });
    for (const w of [hostname, addresses, timeServers]) w.stream.cancel();

    const routes = await list(admin, "network", "RouteStatuses.net.talos.dev");
    expect(routes.map((r) => r.metadata!.id)).toContain("inet4/10.9.0.1//1024");
    expect(routes.map((r) => r.metadata!.id)).not.toContain("inet4/127.0.0.1//1024");
    const resolvers = parse(
      (await get(admin, "network", "ResolverStatuses.net.talos.dev", "resolvers")).spec!.yamlSpec,
    );
    expect(resolvers).toMatchObject({ dnsServers: ["10.9.0.53"], searchDomains: ["example.org"] });
    const node = parse(
      (await get(admin, "network", "NodeAddresses.net.talos.dev", "current")).spec!.yamlSpec,
    );
    expect(node.addresses).toEqual(["10.9.0.5/24"]);
    const hosts = await c.talosctl(["read", "/etc/hosts"]);
    expect(hosts.stdout).toBe(
      "127.0.0.1 localhost\n10.9.0.5  live.example.org live\n::1       localhost ip6-localhost ip6-loopback\nff02::1   ip6-allnodes\nff02::2   ip6-allrouters\n",
    );
    const resolv = await c.talosctl(["read", "/etc/resolv.conf"]);
    // The new resolver config has no host DNS: the nameserver itself is listed.
    expect(resolv.stdout).toBe("nameserver 10.9.0.53\n\nsearch example.org\n");
  });

  it("applies kubelet extra args, extra manifests, node labels and taints, with events in order", async () => {
    const current = async () => {
      const mc = await get(admin, "config", "MachineConfigs.config.talos.dev", "v1alpha1");
      return parseAllDocuments(parse(mc.spec!.yamlSpec) as string).map(
        (d) => d.toJS() as Record<string, unknown>,
      );
    };
    const apply = async (docs: Record<string, unknown>[]) => {
      const file = path.join(c.dir, "live-k8s.yaml");
      fs.writeFileSync(file, docs.map((d) => stringify(d)).join("---\n"));
      const r = await c.talosctl(["apply-config", "-f", file, "--mode", "no-reboot"]);
      expect(r.code, r.stderr).toBe(0);
    };
    const kubelet = watch(admin, {
      namespace: "k8s",
      type: "KubeletSpecs.kubernetes.talos.dev",
      id: "kubelet",
    });
    const labels = watch(admin, {
      namespace: "k8s",
      type: "NodeLabelSpecs.k8s.talos.dev",
      options: { bootstrapContents: true },
    });
    const taints = watch(admin, {
      namespace: "k8s",
      type: "NodeTaintSpecs.k8s.talos.dev",
      options: { bootstrapContents: true },
    });
    const manifests = watch(admin, {
      namespace: "controlplane",
      type: "Manifests.kubernetes.talos.dev",
      options: { bootstrapContents: true },
    });
    for (const w of [labels, taints, manifests]) await w.until((e) => e.type === "BOOTSTRAPPED");
    await kubelet.stream.waitFor(2);
    const before = await get(admin, "k8s", "KubeletSpecs.kubernetes.talos.dev", "kubelet");
    expect((parse(before.spec!.yamlSpec) as { args: string[] }).args).not.toContain("--max-pods=50");

    const etcdCerts = await get(admin, "secrets", "EtcdSecrets.secrets.talos.dev", "etcd");
    const original = await current();
    const patched = original.map((d) => {
      if (d.kind === "KubeletConfig") return { ...d, extraArgs: { "max-pods": "50" } };
      if (d.kind === "KubeNodeConfig") {
        return {
          ...d,
          labels: { ...(d.labels as object), "example.org/live": "yes" },
          taints: { ...(d.taints as object), "example.org/dedicated": "live:NoExecute" },
        };
      }
      return d;
    });
    patched.push({
      apiVersion: "v1alpha1",
      kind: "KubeInlineManifestConfig",
      name: "live-namespace",
      manifest: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: live\n",
    });
    await apply(patched);

    const updated = await kubelet.until((e) => e.type === "UPDATED" && e.yaml.includes("--max-pods=50"));
    expect(Number(updated.version)).toBeGreaterThan(Number(before.metadata!.version));
    const label = await labels.until((e) => e.type === "CREATED" && e.id === "example.org/live");
    expect(parse(label.yaml)).toEqual({ key: "example.org/live", value: "yes" });
    const taint = await taints.until((e) => e.type === "CREATED" && e.id === "example.org/dedicated");
    expect(parse(taint.yaml)).toEqual({ key: "example.org/dedicated", effect: "NoExecute", value: "live" });
    const manifest = await manifests.until((e) => e.type === "CREATED" && e.id === "live-namespace");
    expect(parse(manifest.yaml)).toEqual({
      items: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "live" } }],
    });
    const extra = parse(
      (await get(admin, "controlplane", "ExtraManifestsConfigs.kubernetes.talos.dev", "extra-manifests"))
        .spec!.yamlSpec,
    ) as { extraManifests: { name: string; inlineManifest: string }[] };
    expect(extra.extraManifests.map((m) => m.name)).toEqual(["live-namespace"]);
    // Certificates are issued once per input: an unrelated change leaves them as they were.
    const etcdAfter = await get(admin, "secrets", "EtcdSecrets.secrets.talos.dev", "etcd");
    expect(etcdAfter.metadata!.version).toBe(etcdCerts.metadata!.version);
    expect(etcdAfter.spec!.protoSpec).toEqual(etcdCerts.spec!.protoSpec);

    // Back to the original config: what the change added goes away, in order.
    await apply(original);
    await kubelet.until((e) => e.type === "UPDATED" && !e.yaml.includes("--max-pods=50"));
    await labels.until((e) => e.type === "DESTROYED" && e.id === "example.org/live");
    await taints.until((e) => e.type === "DESTROYED" && e.id === "example.org/dedicated");
    await manifests.until((e) => e.type === "DESTROYED" && e.id === "live-namespace");
    const versions = kubelet
      .events()
      .filter((e) => e.type === "UPDATED")
      .map((e) => Number(e.version));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(
      labels
        .events()
        .filter((e) => e.id === "example.org/live")
        .map((e) => e.type),
    ).toEqual(["CREATED", "DESTROYED"]);
    for (const w of [kubelet, labels, taints, manifests]) w.stream.cancel();
  });

  it("follows META writes and deletes, as talosctl get -w shows them", async () => {
    const keys = watch(admin, {
      namespace: "runtime",
      type: "MetaKeys.runtime.talos.dev",
      options: { bootstrapContents: true },
    });
    await keys.until((e) => e.type === "BOOTSTRAPPED");
    const cli = startInProcess(["get", "metakeys", "-w"], { cwd: c.dir, home: c.home, env: c.env() });
    await cli.waitFor(/^NODE +\* +NAMESPACE +TYPE +ID +VERSION +VALUE\n/);
    const write = (key: number, value: string) =>
      unaryCall(
        admin,
        "/machine.MachineService/MetaWrite",
        toBinary(MetaWriteRequestSchema, create(MetaWriteRequestSchema, { key, value: Buffer.from(value) })),
      );
    await write(0x0c, "first");
    await write(0x0c, "second");
    await unaryCall(
      admin,
      "/machine.MachineService/MetaDelete",
      toBinary(MetaDeleteRequestSchema, create(MetaDeleteRequestSchema, { key: 0x0c })),
    );
    await keys.until((e) => e.type === "DESTROYED" && e.id === "0x0c");
    expect(
      keys
        .events()
        .filter((e) => e.id === "0x0c")
        .map((e) => `${e.type}@${e.version}`),
    ).toEqual(["CREATED@1", "UPDATED@2", "DESTROYED@2"]);
    keys.stream.cancel();
    // The table marks created rows with +, updated ones with a space and destroyed ones with -.
    await cli.waitFor(/\n127\.0\.0\.1 +- +runtime +MetaKey +0x0c +2 +second\n$/);
    cli.cancel();
    const printed = cli.stdout().split("\n").slice(1, -1);
    expect(printed).toHaveLength(3);
    expect(printed[0]).toMatch(/^127\.0\.0\.1 {3}\+ {3}runtime +MetaKey +0x0c +1 +first$/);
    expect(printed[1]).toMatch(/^127\.0\.0\.1 {7}runtime +MetaKey +0x0c +2 +second$/);
    expect(printed[2]).toMatch(/^127\.0\.0\.1 {3}- {3}runtime +MetaKey +0x0c +2 +second$/);
    expect((await cli.result).code).toBe(0);
    const missing = await unaryCall(
      admin,
      "/machine.MachineService/MetaDelete",
      toBinary(MetaDeleteRequestSchema, create(MetaDeleteRequestSchema, { key: 0x0c })),
    ).catch(grpcError);
    expect(missing).toEqual({ code: 5, details: "meta key not found" });
    const wide = await write(300, "x").catch(grpcError);
    expect(wide).toEqual({ code: 3, details: "key must be a uint8" });
  });

  it("replays the last events of a collection with tail_events, as COSI keeps them", async () => {
    const tail = watch(admin, {
      namespace: "runtime",
      type: "MetaKeys.runtime.talos.dev",
      options: { tailEvents: 2 },
    });
    await tail.stream.waitFor(3);
    expect(tail.events().map((e) => `${e.type}:${e.id}@${e.version}`)).toEqual([
      "UPDATED:0x0c@2",
      "DESTROYED:0x0c@2",
    ]);
    tail.stream.cancel();
    const one = watch(admin, {
      namespace: "runtime",
      type: "MetaKeys.runtime.talos.dev",
      id: "0x0c",
      options: { tailEvents: 1 },
    });
    await one.stream.waitFor(2);
    expect(one.events().map((e) => e.type)).toEqual(["DESTROYED"]);
    one.stream.cancel();
    const both = watch(admin, {
      namespace: "runtime",
      type: "MetaKeys.runtime.talos.dev",
      options: { tailEvents: 1, bootstrapContents: true },
    });
    expect(grpcError(await both.stream.done.catch((e) => e))).toEqual({
      code: 2,
      details: "cannot use BootstrapContents with TailEvents and StartFromBookmark options",
    });
  });
});

describe("access", () => {
  it("serves sensitive types to os:admin only, as Talos refuses readers and operators", async () => {
    for (const client of [reader, operator]) {
      for (const type of [
        "OSRootSecrets.secrets.talos.dev",
        "LinkSpecs.net.talos.dev",
        "MachineConfigs.config.talos.dev",
      ]) {
        const ns = CATALOGUE.types.find((t) => t.type === type)!.namespace;
        expect(grpcError(await list(client, ns, type).catch((e) => e)), type).toEqual({
          code: 7,
          details: "not authorized",
        });
      }
      expect(await list(client, "network", "LinkStatuses.net.talos.dev")).toHaveLength(2);
    }
    const roots = await list(admin, "secrets", "OSRootSecrets.secrets.talos.dev");
    expect(roots.map((r) => r.metadata!.id)).toEqual(["os"]);
    const readerConfig = path.join(c.dir, "reader-talosconfig");
    fs.writeFileSync(
      readerConfig,
      talosconfigFor(c.cluster, [c.node.address], ["127.0.0.1"], c.cluster.reader),
      { mode: 0o600 },
    );
    const r = await c.talosctl(["get", "linkspecs"], { TALOSCONFIG: readerConfig });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NODE +NAMESPACE +TYPE +ID +VERSION\n$/);
    expect(r.stderr).toBe(
      "error listing resources on node 127.0.0.1: rpc error: code = PermissionDenied desc = not authorized\n",
    );
  });

  it("shows the populated secrets to os:admin and refuses them to os:reader and os:operator talosconfigs", async () => {
    const configs: Record<string, string> = {};
    for (const [role, identity] of [
      ["reader", c.cluster.reader],
      ["operator", c.cluster.operator],
    ] as const) {
      configs[role] = path.join(c.dir, `secrets-${role}-talosconfig`);
      fs.writeFileSync(configs[role]!, talosconfigFor(c.cluster, [c.node.address], ["127.0.0.1"], identity), {
        mode: 0o600,
      });
    }
    const secretTypes = CATALOGUE.types.filter((t) => t.namespace === "secrets");
    expect(secretTypes.every((t) => t.sensitive)).toBe(true);
    for (const role of ["reader", "operator"]) {
      for (const [args, first] of [
        [["get", "osrootsecret"], "error listing resources on node 127.0.0.1"],
        [["get", "kubernetesrootsecret", "k8s"], "error getting resource on node 127.0.0.1"],
        [["get", "etcdsecrets", "-o", "yaml"], "error listing resources on node 127.0.0.1"],
      ] as const) {
        const r = await c.talosctl([...args], { TALOSCONFIG: configs[role]! });
        expect(r.code, `${role} ${args.join(" ")}`).toBe(1);
        expect(r.stderr, `${role} ${args.join(" ")}`).toContain(
          `${first}: rpc error: code = PermissionDenied desc = not authorized`,
        );
      }
      // The non-sensitive Kubernetes and etcd types stay readable.
      const r = await c.talosctl(["get", "nodename"], { TALOSCONFIG: configs[role]! });
      expect(r.code, r.stderr).toBe(0);
    }
    const os = await c.talosctl(["get", "osrootsecret", "-o", "yaml"]);
    expect(os.code, os.stderr).toBe(0);
    const root = parse(os.stdout) as { spec: { issuingCA: { crt: string; key: string }; token: string } };
    expect(Buffer.from(root.spec.issuingCA.crt, "base64").toString()).toBe(c.cluster.osCa.crt);
    expect(root.spec.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    // The API certificate in ApiCertificates is the one the node serves.
    const api = parse(
      (await get(admin, "secrets", "ApiCertificates.secrets.talos.dev", "api")).spec!.yamlSpec,
    ) as {
      server: { crt: string };
      client: { crt: string };
    };
    const served = await servedCertificate(c.node.address);
    expect(new X509Certificate(Buffer.from(api.server.crt, "base64")).raw.equals(served)).toBe(true);
    const client = new X509Certificate(Buffer.from(api.client.crt, "base64"));
    expect(client.subject).toContain("O=os:impersonator");
    expect(client.checkIssued(new X509Certificate(c.cluster.osCa.crt))).toBe(true);
    const sans = parse((await get(admin, "secrets", "CertSANs.secrets.talos.dev", "k8s")).spec!.yamlSpec) as {
      dnsNames: string[];
      ips: string[];
    };
    expect(sans.dnsNames).toEqual(
      expect.arrayContaining(["kubernetes.default.svc.cluster.local", "localhost", "live"]),
    );
    expect(sans.ips).toEqual(expect.arrayContaining(["10.96.0.1", "127.0.0.1"]));
  });

  it("refuses every write verb as Talos's API does, and unknown types and namespaces", async () => {
    const resource = (await list(admin, "runtime", "Versions.runtime.talos.dev"))[0]!;
    const calls: [string, Uint8Array][] = [
      ["Create", toBinary(CreateRequestSchema, create(CreateRequestSchema, { resource }))],
      ["Update", toBinary(UpdateRequestSchema, create(UpdateRequestSchema, { newResource: resource }))],
      [
        "Destroy",
        toBinary(
          DestroyRequestSchema,
          create(DestroyRequestSchema, {
            namespace: "runtime",
            type: resource.metadata!.type,
            id: "version",
          }),
        ),
      ],
    ];
    for (const [method, body] of calls) {
      expect(grpcError(await unaryCall(admin, `${STATE}/${method}`, body).catch((e) => e)), method).toEqual({
        code: 7,
        details: "write access is not allowed",
      });
      expect(grpcError(await unaryCall(reader, `${STATE}/${method}`, body).catch((e) => e)), method).toEqual({
        code: 7,
        details: "not authorized",
      });
    }
    expect(grpcError(await list(admin, "runtime", "Nopes.talos.dev").catch((e) => e))).toEqual({
      code: 7,
      details: 'resource type "Nopes.talos.dev" is not supported',
    });
    expect(grpcError(await list(admin, "nowhere", "Versions.runtime.talos.dev").catch((e) => e))).toEqual({
      code: 7,
      details: 'namespace "nowhere" is not supported',
    });
  });
});
