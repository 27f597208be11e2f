// Resources following config changes, as `talosctl get -w` shows them: an applied config renames
// the node, moves its address and route, changes nameservers and time servers and enables
// KubeSpan; applying the first config back undoes it all. Each watch prints its rows in the order
// the changes happened, with versions bumped by one per change; a watch with tail_events replays
// the last changes. Also: the cluster resources derived from the config, and the State service's
// write verbs answering as Talos's do.
import fs from "node:fs";
import path from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { ResourceSchema } from "../src/gen/cosi/resource/resource_pb.js";
import {
  CreateRequestSchema,
  DestroyRequestSchema,
  EventType,
  GetRequestSchema,
  GetResponseSchema,
  TeardownAndDestroyRequestSchema,
  TeardownRequestSchema,
  UpdateRequestSchema,
  WatchRequestSchema,
  WatchResponseSchema,
} from "../src/gen/cosi/resource/state_pb.js";
import {
  type ConfiguredNode,
  type InProcessRun,
  startConfiguredNode,
  startInProcess,
} from "./helpers/cluster.js";
import { mtlsClient, streamCall, unaryCall } from "./helpers/node.js";

const STATE = "/cosi.resource.State";

let c: ConfiguredNode;
let admin: grpc.Client;
let reader: grpc.Client;

// A slow clock: a new API certificate restarts the listener, and open watches get the node's
// grace period (scaled by the clock) to deliver what they have before they are cut.
beforeAll(async () => {
  c = await startConfiguredNode({ args: ["--time-scale", "4", "--hostname", "live-node"] });
  admin = mtlsClient(c.node.address, c.cluster.osCa.crt, c.cluster.admin);
  reader = mtlsClient(c.node.address, c.cluster.osCa.crt, c.cluster.reader);
});

afterAll(async () => {
  admin?.close();
  reader?.close();
  await c?.stop();
});

async function get(namespace: string, type: string, id: string) {
  const body = toBinary(GetRequestSchema, create(GetRequestSchema, { namespace, type, id }));
  return fromBinary(GetResponseSchema, await unaryCall(admin, `${STATE}/Get`, body)).resource!;
}

function grpcError(err: unknown): { code: number; details: string } {
  const e = err as { code: number; details: string };
  return { code: e.code, details: e.details };
}

/** Waits until a check holds (polled), failing after the deadline. */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The printed rows of a `get -w` so far: node, marker (+, - or blank), then the columns. Each
 * flush pads its own columns, so the marker is found after the node and its padding.
 */
function rows(run: InProcessRun): string[][] {
  return run
    .stdout()
    .split("\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => {
      const m = /^(\S+) {3}([+\- ]) {3}(.*)$/.exec(l);
      if (!m) throw new Error(`unexpected row: ${l}`);
      return [m[1]!, m[2]!, ...m[3]!.split(/ {2,}/)];
    });
}

function configWith(replace: Record<string, unknown>[]): string {
  const kinds = new Set(replace.map((d) => String(d.kind)));
  const docs = parseAllDocuments(c.cluster.controlplane)
    .map((d) => d.toJS() as Record<string, unknown>)
    .filter((d) => !kinds.has(String(d.kind)));
  return [...docs, ...replace].map((d) => stringify(d)).join("---\n");
}

async function apply(text: string): Promise<void> {
  const file = path.join(c.dir, "applied.yaml");
  fs.writeFileSync(file, text);
  const r = await c.talosctl(["apply-config", "-f", file, "--mode", "no-reboot"]);
  expect(r.code, r.stderr).toBe(0);
}

/** The `get -w` runs of one phase, each printing the header (and what exists) first. */
async function startWatches() {
  const opts = { cwd: c.dir, home: c.home, env: c.env() };
  const watches = {
    hostname: startInProcess(["get", "hostnamestatus", "hostname", "-w"], opts),
    addresses: startInProcess(["get", "addresses", "-w"], opts),
    routes: startInProcess(["get", "routes", "-w"], opts),
    resolvers: startInProcess(["get", "resolvers", "-w"], opts),
    timeservers: startInProcess(["get", "timeservers", "-w"], opts),
    kubespan: startInProcess(["get", "kubespanidentities", "-w"], opts),
  };
  // A watch of one resource prints it first; a watch of a kind prints what exists, then follows.
  await watches.hostname.waitFor(/\n127\.0\.0\.1 +\+ +network +HostnameStatus +hostname +\d+ /);
  await watches.addresses.waitFor(/\n127\.0\.0\.1 +\+ +network +AddressStatus +lo\/127\.0\.0\.1\/8 /);
  await watches.routes.waitFor(
    /^NODE +\* +NAMESPACE +TYPE +ID +VERSION +DESTINATION +GATEWAY +LINK +METRIC\n/,
  );
  await watches.resolvers.waitFor(/\n127\.0\.0\.1 +\+ +network +ResolverStatus +resolvers /);
  await watches.timeservers.waitFor(/\n127\.0\.0\.1 +\+ +network +TimeServerStatus +timeservers /);
  await watches.kubespan.waitFor(/^NODE +\* +NAMESPACE +TYPE +ID +VERSION +ADDRESS +PUBLICKEY\n/);
  return watches;
}

/**
 * Ends a phase's watches. A new hostname or address changes the API certificate, on which the
 * node restarts its listener and open calls end: a run may have ended already.
 */
async function stopWatches(watches: Record<string, InProcessRun>): Promise<void> {
  for (const w of Object.values(watches)) w.cancel();
  for (const w of Object.values(watches)) await w.result;
}

/** A row's marker (+, - or blank), id, version and the first printed column. */
const brief = (r: string[]) => `${r[1]!.trim() || "="} ${r[4]}@${r[5]} ${r[6] ?? ""}`;

describe("live changes through talosctl get -w", () => {
  it("prints each change as it happens, in order, with versions bumped, and replays tails", async () => {
    await until(
      async () =>
        parse((await get("network", "NetworkStatuses.net.talos.dev", "status")).spec!.yamlSpec)
          .addressReady === true,
    );
    const first = await startWatches();
    const hostnameV1 = Number(rows(first.hostname)[0]![5]);
    const timeServersV1 = Number(rows(first.timeservers)[0]![5]);
    const firstTimeServers = rows(first.timeservers)[0]![6]!;

    await apply(
      configWith([
        { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "moved.example.org" },
        { apiVersion: "v1alpha1", kind: "ResolverConfig", nameservers: [{ address: "10.7.0.53" }] },
        { apiVersion: "v1alpha1", kind: "TimeSyncConfig", ntp: { servers: ["time.example.org"] } },
        {
          apiVersion: "v1alpha1",
          kind: "LinkConfig",
          name: "eth0",
          addresses: [{ address: "10.7.0.5/24" }],
          routes: [{ gateway: "10.7.0.1" }],
        },
        { apiVersion: "v1alpha1", kind: "KubeSpanConfig", enabled: true },
      ]),
    );
    await first.hostname.waitFor(
      /\n127\.0\.0\.1 {7}network +HostnameStatus +hostname +\d+ +moved +example\.org\n/,
    );
    await first.addresses.waitFor(
      /\n127\.0\.0\.1 +\+ +network +AddressStatus +eth0\/10\.7\.0\.5\/24 +1 +10\.7\.0\.5\/24 +eth0\n/,
    );
    await first.addresses.waitFor(/\n127\.0\.0\.1 +- +network +AddressStatus +eth0\/127\.0\.0\.1\/24 /);
    await first.routes.waitFor(
      /\n127\.0\.0\.1 +\+ +network +RouteStatus +inet4\/10\.7\.0\.1\/\/1024 +1 + 10\.7\.0\.1 +eth0 +1024\n/,
    );
    await first.resolvers.waitFor(
      /\n127\.0\.0\.1 {7}network +ResolverStatus +resolvers +\d+ +\["10\.7\.0\.53"\] +\["example\.org"\]\n/,
    );
    await first.timeservers.waitFor(
      /\n127\.0\.0\.1 {7}network +TimeServerStatus +timeservers +\d+ +\["time\.example\.org"\] +false\n/,
    );
    await first.kubespan.waitFor(
      /\n127\.0\.0\.1 +\+ +kubespan +KubeSpanIdentity +local +1 +fd[0-9a-f:]+\/128 +[A-Za-z0-9+/]{43}=\n/,
    );
    await stopWatches(first);
    // The new ResolverConfig turns host DNS off: its upstreams go.
    await until(async () => {
      const r = await c.talosctl(["get", "dnsupstreams"]);
      return r.code === 0 && /^NODE +NAMESPACE +TYPE +ID +VERSION +HEALTHY +ADDRESS\n$/.test(r.stdout);
    });

    // Back to the first config: everything returns and KubeSpan's identity goes.
    const second = await startWatches();
    await apply(c.cluster.controlplane);
    await second.hostname.waitFor(/\n127\.0\.0\.1 {7}network +HostnameStatus +hostname +\d+ +live-node *\n/);
    await second.kubespan.waitFor(/\n127\.0\.0\.1 +- +kubespan +KubeSpanIdentity +local +1 /);
    await second.addresses.waitFor(/\n127\.0\.0\.1 +- +network +AddressStatus +eth0\/10\.7\.0\.5\/24 /);
    await second.routes.waitFor(/\n127\.0\.0\.1 +- +network +RouteStatus +inet4\/10\.7\.0\.1\/\/1024 /);
    const escaped = firstTimeServers.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await second.timeservers.waitFor(
      new RegExp(`\\n127\\.0\\.0\\.1 {7}network +TimeServerStatus +timeservers +\\d+ +${escaped} `),
    );
    await stopWatches(second);
    // Host DNS is back, with an upstream per resolver in order.
    await until(async () => {
      const r = await c.talosctl(["get", "dnsupstreams"]);
      return /\n127\.0\.0\.1 +network +DNSUpstream +#000 Do53 \S+ +\d+ +true +\S+:53\n/.test(r.stdout);
    });

    // One row per change, versions one apart, in the order the changes were made.
    const hostnames = [...rows(first.hostname), ...rows(second.hostname)].map(brief);
    expect(hostnames).toEqual([
      `+ hostname@${hostnameV1} live-node`,
      `= hostname@${hostnameV1 + 1} moved`,
      `+ hostname@${hostnameV1 + 1} moved`,
      `= hostname@${hostnameV1 + 2} live-node`,
    ]);
    const timeServers = [...rows(first.timeservers), ...rows(second.timeservers)].map((r) => Number(r[5]));
    expect(timeServers).toEqual([timeServersV1, timeServersV1 + 1, timeServersV1 + 1, timeServersV1 + 2]);
    const eth0 = [...rows(first.addresses), ...rows(second.addresses)]
      .filter((r) => r[4]?.startsWith("eth0/10.7."))
      .map(brief);
    expect(eth0).toEqual([
      "+ eth0/10.7.0.5/24@1 10.7.0.5/24",
      "+ eth0/10.7.0.5/24@1 10.7.0.5/24",
      "- eth0/10.7.0.5/24@1 10.7.0.5/24",
    ]);
    // The address comes before the old one goes, as the address controller applies a change.
    const changes = rows(first.addresses).filter((r) => r[1]!.trim() !== "+" || r[4]!.startsWith("eth0/10."));
    expect(changes.map(brief).slice(0, 1)).toEqual(["+ eth0/10.7.0.5/24@1 10.7.0.5/24"]);
    expect([...rows(first.kubespan), ...rows(second.kubespan)].map((r) => `${r[1]!.trim()}${r[4]}`)).toEqual([
      "+local",
      "+local",
      "-local",
    ]);

    // tail_events replays the collection's last events, oldest first.
    const body = toBinary(
      WatchRequestSchema,
      create(WatchRequestSchema, {
        apiVersion: 1,
        namespace: "network",
        type: "HostnameStatuses.net.talos.dev",
        options: { tailEvents: 2 },
      }),
    );
    const tail = streamCall(admin, `${STATE}/Watch`, body, { timeoutMs: 20_000 });
    await tail.waitFor(3, 20_000);
    tail.cancel();
    const replayed = tail.messages
      .map((m) => fromBinary(WatchResponseSchema, m))
      .flatMap((r) => r.event)
      .map(
        (e) =>
          `${EventType[e.eventType]}@${e.resource!.metadata!.version}:${parse(e.resource!.spec!.yamlSpec).hostname}`,
      );
    expect(replayed).toEqual([`UPDATED@${hostnameV1 + 1}:moved`, `UPDATED@${hostnameV1 + 2}:live-node`]);
  });

  it("has no --watch-only flag, as talosctl get has none", async () => {
    const r = await c.talosctl(["get", "hostnamestatus", "--watch-only"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe("unknown flag: --watch-only");
  });
});

describe("cluster resources", () => {
  it("derives the cluster info, KubeSpan and Kubernetes access configs from the config", async () => {
    const docs = parseAllDocuments(c.cluster.controlplane).map((d) => d.toJS() as Record<string, unknown>);
    const identity = docs.find((d) => d.kind === "DiscoveryIdentityConfig")!;
    const cluster = docs.find((d) => d.kind === "KubeClusterConfig")!;
    const info = parse((await get("cluster", "Infos.cluster.talos.dev", "current")).spec!.yamlSpec);
    expect(info).toEqual({ clusterId: identity.clusterID, clusterName: cluster.clusterName });
    const r = await c.talosctl(["get", "kubespanconfig", "-o", "yaml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(parse(r.stdout.split("\n").slice(1).join("\n")).spec).toMatchObject({
      enabled: false,
      clusterId: identity.clusterID,
      sharedSecret: identity.clusterSecret,
    });
    const access = parse(
      (await get("config", "KubernetesAccessConfigs.cluster.talos.dev", "config")).spec!.yamlSpec,
    );
    expect(access).toEqual({ enabled: false, allowedAPIRoles: [], allowedKubernetesNamespaces: [] });
    // KubeSpan's config holds the cluster secret: sensitive, refused to readers as Talos does.
    const body = toBinary(
      GetRequestSchema,
      create(GetRequestSchema, {
        namespace: "config",
        type: "KubeSpanConfigs.kubespan.talos.dev",
        id: "kubespan",
      }),
    );
    expect(grpcError(await unaryCall(reader, `${STATE}/Get`, body).catch((e) => e))).toEqual({
      code: 7,
      details: "not authorized",
    });
  });
});

describe("write verbs", () => {
  const call = (client: grpc.Client, method: string, body: Uint8Array) =>
    unaryCall(client, `${STATE}/${method}`, body).then(() => ({ code: 0, details: "" }), grpcError);

  it("answers Create, Update, Destroy, Teardown and TeardownAndDestroy as Talos's API does", async () => {
    const version = await get("runtime", "Versions.runtime.talos.dev", "version");
    const createWith = (resource: Parameters<typeof create<typeof ResourceSchema>>[1]) =>
      toBinary(
        CreateRequestSchema,
        create(CreateRequestSchema, { resource: create(ResourceSchema, resource) }),
      );
    const md = version.metadata!;
    // COSI's server reads the resource first: what it cannot read is reported as it reports it.
    expect(
      await call(admin, "Create", toBinary(CreateRequestSchema, create(CreateRequestSchema, {}))),
    ).toEqual({
      code: 2,
      details: "metadata is missing",
    });
    expect(await call(admin, "Create", createWith({ metadata: md }))).toEqual({
      code: 2,
      details: "spec is missing",
    });
    expect(
      await call(admin, "Create", createWith({ metadata: { ...md, version: "one" }, spec: version.spec })),
    ).toEqual({
      code: 2,
      details: 'error parsing version: strconv.ParseInt: parsing "one": invalid syntax',
    });
    expect(
      await call(admin, "Create", createWith({ metadata: { ...md, phase: "" }, spec: version.spec })),
    ).toEqual({
      code: 2,
      details: "unknown phase: ",
    });
    const denied = { code: 7, details: "write access is not allowed" };
    expect(await call(admin, "Create", createWith({ metadata: md, spec: version.spec }))).toEqual(denied);
    const update = create(UpdateRequestSchema, { newResource: version, options: { expectedPhase: "gone" } });
    expect(await call(admin, "Update", toBinary(UpdateRequestSchema, update))).toEqual({
      code: 2,
      details: "unknown phase: gone",
    });
    expect(
      await call(
        admin,
        "Update",
        toBinary(UpdateRequestSchema, create(UpdateRequestSchema, { newResource: version })),
      ),
    ).toEqual(denied);
    const pointer = { namespace: "runtime", type: md.type, id: "version" };
    expect(
      await call(admin, "Destroy", toBinary(DestroyRequestSchema, create(DestroyRequestSchema, pointer))),
    ).toEqual(denied);
    // Teardown reads the resource first (a checked read), then the phase update is refused.
    const teardown = (p: typeof pointer) => toBinary(TeardownRequestSchema, create(TeardownRequestSchema, p));
    expect(await call(admin, "Teardown", teardown(pointer))).toEqual(denied);
    expect(await call(admin, "Teardown", teardown({ ...pointer, id: "nope" }))).toEqual({
      code: 5,
      details: `resource ${md.type}(runtime/nope@undefined) doesn't exist`,
    });
    expect(await call(admin, "Teardown", teardown({ ...pointer, type: "Nopes.talos.dev" }))).toEqual({
      code: 7,
      details: 'resource type "Nopes.talos.dev" is not supported',
    });
    const both = (p: typeof pointer) =>
      toBinary(TeardownAndDestroyRequestSchema, create(TeardownAndDestroyRequestSchema, p));
    expect(await call(admin, "TeardownAndDestroy", both(pointer))).toEqual(denied);
    expect(await call(admin, "TeardownAndDestroy", both({ ...pointer, namespace: "nowhere" }))).toEqual({
      code: 7,
      details: 'namespace "nowhere" is not supported',
    });
    // Only os:admin may call the write verbs at all.
    for (const method of ["Create", "Update", "Destroy", "Teardown", "TeardownAndDestroy"]) {
      expect(await call(reader, method, new Uint8Array()), method).toEqual({
        code: 7,
        details: "not authorized",
      });
    }
    // Nothing changed.
    expect((await get("runtime", md.type, "version")).metadata!.version).toBe(md.version);
  });
});
