// The COSI State API of talos-node: get, list and watch behind Talos's access filter.
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Resource } from "../src/gen/cosi/resource/resource_pb.js";
import {
  CreateRequestSchema,
  EventType,
  GetRequestSchema,
  GetResponseSchema,
  LabelQuerySchema,
  LabelTerm_Operation,
  LabelTermSchema,
  type ListOptionsSchema,
  ListRequestSchema,
  ListResponseSchema,
  WatchRequestSchema,
  WatchResponseSchema,
} from "../src/gen/cosi/resource/state_pb.js";
import { tempDir } from "./helpers/cli.js";
import {
  insecureClient,
  makeCluster,
  mtlsClient,
  type StartedNode,
  seedState,
  startNode,
  streamCall,
  type TestCluster,
  unaryCall,
} from "./helpers/node.js";

const GET = "/cosi.resource.State/Get";
const LIST = "/cosi.resource.State/List";
const WATCH = "/cosi.resource.State/Watch";
const MC = "MachineConfigs.config.talos.dev";
const SVC = "Services.v1alpha1.talos.dev";
const RD = "ResourceDefinitions.meta.cosi.dev";

let cluster: TestCluster;
let node: StartedNode;
let admin: grpc.Client;
let reader: grpc.Client;

function get(client: grpc.Client, namespace: string, type: string, id: string): Promise<Resource> {
  const body = toBinary(GetRequestSchema, create(GetRequestSchema, { namespace, type, id }));
  return unaryCall(client, GET, body).then((b) => fromBinary(GetResponseSchema, b).resource!);
}

async function list(
  client: grpc.Client,
  namespace: string,
  type: string,
  options?: MessageInitShape<typeof ListOptionsSchema>,
): Promise<Resource[]> {
  const body = toBinary(
    ListRequestSchema,
    create(ListRequestSchema, { namespace, type, ...(options ? { options } : {}) }),
  );
  const messages = await streamCall(client, LIST, body).done;
  return messages.map((m) => fromBinary(ListResponseSchema, m).resource!);
}

beforeAll(async () => {
  cluster = await makeCluster("cosi-cluster");
  const stateDir = tempDir("talos-node-cosi-");
  seedState(stateDir, cluster.controlplane);
  node = await startNode({ stateDir, args: ["--time-scale", "50", "--hostname", "cosi-node"] });
  admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
  reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
});

afterAll(async () => {
  await node?.stop();
});

describe("COSI State on a configured node", () => {
  it("lists resource definitions with Talos's aliases and sensitivity", async () => {
    const rds = await list(reader, "meta", RD);
    const byId = new Map(
      rds.map((r) => [r.metadata!.id, parse(r.spec!.yamlSpec) as Record<string, unknown>]),
    );
    expect(byId.get("machineconfigs.config.talos.dev")).toMatchObject({
      type: MC,
      displayType: "MachineConfig",
      defaultNamespace: "config",
      aliases: ["machineconfig", "mc", "mcs"],
      allAliases: [
        "machineconfigs",
        "machineconfigs.config",
        "machineconfigs.config.talos",
        "machineconfig",
        "mc",
        "mcs",
      ],
      sensitivity: "sensitive",
    });
    expect(byId.get("services.v1alpha1.talos.dev")).toMatchObject({
      displayType: "Service",
      aliases: ["svc", "service"],
      printColumns: [
        { name: "Running", jsonPath: "{.running}" },
        { name: "Healthy", jsonPath: "{.healthy}" },
        { name: "Health Unknown", jsonPath: "{.unknown}" },
      ],
    });
    expect(byId.get("resourcedefinitions.meta.cosi.dev")).toMatchObject({
      aliases: ["api-resources", "resourcedefinition", "rd", "rds"],
    });
    expect(byId.get("services.v1alpha1.talos.dev")).not.toHaveProperty("sensitivity");
    // The protobuf spec carries the same facts (type = field 1).
    const svc = rds.find((r) => r.metadata!.id === "services.v1alpha1.talos.dev")!;
    expect(Buffer.from(svc.spec!.protoSpec).includes(Buffer.from(SVC))).toBe(true);
  });

  it("serves services, machine status, hostname and version to readers", async () => {
    await expect
      .poll(async () => (await list(reader, "runtime", SVC)).map((r) => r.metadata!.id), { timeout: 15_000 })
      .toContain("kubelet");
    const apid = await get(reader, "runtime", SVC, "apid");
    expect(apid.metadata).toMatchObject({ namespace: "runtime", type: SVC, id: "apid", phase: "running" });
    expect(Number(apid.metadata!.version)).toBeGreaterThanOrEqual(1);
    expect(parse(apid.spec!.yamlSpec)).toMatchObject({ running: true });

    await expect
      .poll(
        async () =>
          parse(
            (await get(reader, "runtime", "MachineStatuses.runtime.talos.dev", "machine")).spec!.yamlSpec,
          ),
        { timeout: 15_000 },
      )
      .toEqual({ stage: "running", status: { ready: true, unmetConditions: [] } });
    const hostname = await get(reader, "network", "HostnameStatuses.net.talos.dev", "hostname");
    expect(parse(hostname.spec!.yamlSpec)).toEqual({ hostname: "cosi-node", domainname: "" });
    const type = await get(reader, "config", "MachineTypes.config.talos.dev", "machine-type");
    expect(parse(type.spec!.yamlSpec)).toBe("controlplane");
    const version = await get(reader, "runtime", "Versions.runtime.talos.dev", "version");
    expect(parse(version.spec!.yamlSpec)).toMatchObject({
      version: expect.stringMatching(/^v\d+\.\d+\.\d+/),
    });
  });

  it("keeps the machine config from readers but gives it to admins", async () => {
    await expect(get(reader, "config", MC, "v1alpha1")).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: "not authorized",
    });
    await expect(list(reader, "config", MC)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    const mc = await get(admin, "config", MC, "v1alpha1");
    expect(parse(mc.spec!.yamlSpec)).toBe(cluster.controlplane);
    expect(mc.metadata!.annotations).toEqual({ "talos.dev/yaml-spec": "1" });
    expect(Buffer.from(mc.spec!.protoSpec).includes(Buffer.from("version: v1alpha1"))).toBe(true);
    expect((await list(admin, "config", MC)).map((r) => r.metadata!.id)).toEqual(["persistent", "v1alpha1"]);
  });

  it("refuses unknown types and namespaces, and reports missing resources", async () => {
    await expect(get(admin, "runtime", "Bogus.talos.dev", "x")).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: 'resource type "Bogus.talos.dev" is not supported',
    });
    await expect(get(admin, "nowhere", SVC, "apid")).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: 'namespace "nowhere" is not supported',
    });
    await expect(get(admin, "runtime", SVC, "nosuch")).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: `resource ${SVC}(runtime/nosuch@undefined) doesn't exist`,
    });
  });

  // A malformed resource is reported as COSI's server reports it, before Talos's filter refuses
  // the write; well-formed writes of every verb are in resources-live.test.ts.
  it("refuses writes: a malformed resource first, readers always", async () => {
    const body = toBinary(CreateRequestSchema, create(CreateRequestSchema, {}));
    await expect(unaryCall(admin, "/cosi.resource.State/Create", body)).rejects.toMatchObject({
      code: grpc.status.UNKNOWN,
      details: "metadata is missing",
    });
    await expect(unaryCall(reader, "/cosi.resource.State/Create", body)).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: "not authorized",
    });
  });

  it("filters lists by id and labels", async () => {
    const ids = (rs: Resource[]) => rs.map((r) => r.metadata!.id);
    expect(ids(await list(reader, "runtime", SVC, { idQuery: { regexp: "^(apid|etcd)$" } }))).toEqual([
      "apid",
      "etcd",
    ]);
    const exists = create(LabelQuerySchema, {
      terms: [create(LabelTermSchema, { key: "talos.dev/none", op: LabelTerm_Operation.EXISTS })],
    });
    expect(await list(reader, "runtime", SVC, { labelQuery: [exists] })).toEqual([]);
    const inverted = create(LabelQuerySchema, {
      terms: [
        create(LabelTermSchema, { key: "talos.dev/none", op: LabelTerm_Operation.EXISTS, invert: true }),
      ],
    });
    expect(ids(await list(reader, "runtime", SVC, { labelQuery: [inverted] }))).toContain("apid");
  });

  it("watches a kind with bootstrap contents, then a single resource", async () => {
    const kind = streamCall(
      reader,
      WATCH,
      toBinary(
        WatchRequestSchema,
        create(WatchRequestSchema, {
          namespace: "runtime",
          type: SVC,
          apiVersion: 1,
          options: { bootstrapContents: true },
        }),
      ),
    );
    const services = (await list(reader, "runtime", SVC)).length;
    const msgs = (await kind.waitFor(services + 2)).map((m) => fromBinary(WatchResponseSchema, m));
    kind.cancel();
    expect(msgs[0]!.event).toEqual([]);
    const events = msgs.slice(1).flatMap((m) => m.event);
    expect(events.slice(0, services).every((e) => e.eventType === EventType.CREATED)).toBe(true);
    expect(events[services]).toMatchObject({ eventType: EventType.BOOTSTRAPPED });
    expect(events[services]!.resource!.metadata!.id).toBe("");

    const one = streamCall(
      reader,
      WATCH,
      toBinary(
        WatchRequestSchema,
        create(WatchRequestSchema, { namespace: "runtime", type: SVC, id: "apid", apiVersion: 1 }),
      ),
    );
    const [, first] = (await one.waitFor(2)).map((m) => fromBinary(WatchResponseSchema, m));
    one.cancel();
    expect(first!.event[0]).toMatchObject({ eventType: EventType.CREATED });
    expect(first!.event[0]!.resource!.metadata!.id).toBe("apid");

    const missing = streamCall(
      reader,
      WATCH,
      toBinary(
        WatchRequestSchema,
        create(WatchRequestSchema, { namespace: "runtime", type: SVC, id: "nosuch", apiVersion: 1 }),
      ),
    );
    const [, gone] = (await missing.waitFor(2)).map((m) => fromBinary(WatchResponseSchema, m));
    missing.cancel();
    expect(gone!.event[0]).toMatchObject({ eventType: EventType.DESTROYED });
    expect(gone!.event[0]!.resource!.spec).toBeUndefined();

    const sensitive = streamCall(
      reader,
      WATCH,
      toBinary(
        WatchRequestSchema,
        create(WatchRequestSchema, { namespace: "config", type: MC, apiVersion: 1 }),
      ),
    );
    await expect(sensitive.done).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: "not authorized",
    });
  });
});

describe("COSI State in maintenance mode", () => {
  it("serves non-sensitive resources to the maintenance client only", async () => {
    const m = await startNode({ args: ["--time-scale", "50"] });
    try {
      const client = insecureClient(m.address);
      await expect
        .poll(async () => (await list(client, "runtime", SVC)).map((r) => r.metadata!.id), {
          timeout: 15_000,
        })
        .toContain("apid");
      await expect(list(client, "config", MC)).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
        details: "not authorized",
      });
      const status = await get(client, "runtime", "MachineStatuses.runtime.talos.dev", "machine");
      await expect
        .poll(
          async () =>
            parse(
              (await get(client, "runtime", "MachineStatuses.runtime.talos.dev", "machine")).spec!.yamlSpec,
            ).stage,
          { timeout: 15_000 },
        )
        .toBe("maintenance");
      expect(status.metadata!.namespace).toBe("runtime");
    } finally {
      await m.stop();
    }
  });
});
