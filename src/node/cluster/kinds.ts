// The discovery resources of the cluster namespace: Members (`get members`), Affiliates
// (`get affiliates`) and the node's own Identity, encoded with Talos's cluster specs.
import { create, toBinary } from "@bufbuild/protobuf";
import { NetIPSchema } from "../../gen/common/common_pb.js";
import {
  AffiliateSpecSchema,
  ControlPlaneSchema,
  IdentitySpecSchema,
  MemberSpecSchema,
} from "../../gen/resource/definitions/cluster/cluster_pb.js";
import { MachineType } from "../../gen/resource/definitions/enums/enums_pb.js";
import { defineResource } from "../machine/resources/definition.js";
import { ipToBytes, NS } from "../machine/resources/kinds.js";
import type { ResourceKind } from "../machine/resources/store.js";

export interface MemberResourceSpec {
  readonly nodeId: string;
  readonly addresses: readonly string[];
  readonly hostname: string;
  readonly machineType: string;
  readonly operatingSystem: string;
  readonly apiServerPort?: number;
}

function machineTypeEnum(t: string): MachineType {
  if (t === "controlplane") return MachineType.TYPE_CONTROL_PLANE;
  if (t === "worker") return MachineType.TYPE_WORKER;
  if (t === "init") return MachineType.TYPE_INIT;
  return MachineType.TYPE_UNKNOWN;
}

const netIps = (addresses: readonly string[]) =>
  addresses.map((a) => create(NetIPSchema, { ip: ipToBytes(a) }));
const controlPlane = (port: number | undefined) =>
  port !== undefined ? { controlPlane: create(ControlPlaneSchema, { apiServerPort: BigInt(port) }) } : {};

function view(s: MemberResourceSpec, withId: boolean): Record<string, unknown> {
  return {
    ...(withId ? { nodeId: s.nodeId } : {}),
    addresses: [...s.addresses],
    hostname: s.hostname,
    ...(withId ? { nodename: s.hostname } : {}),
    machineType: s.machineType,
    operatingSystem: s.operatingSystem,
    ...(s.apiServerPort !== undefined ? { controlPlane: { apiServerPort: s.apiServerPort } } : {}),
  };
}

export const memberKind: ResourceKind<MemberResourceSpec> = {
  definition: defineResource({
    type: "Members.cluster.talos.dev",
    defaultNamespace: NS.cluster,
    printColumns: [
      { name: "Hostname", jsonPath: "{.hostname}" },
      { name: "Machine Type", jsonPath: "{.machineType}" },
      { name: "OS", jsonPath: "{.operatingSystem}" },
      { name: "Addresses", jsonPath: "{.addresses}" },
    ],
  }),
  encode: (s) =>
    toBinary(
      MemberSpecSchema,
      create(MemberSpecSchema, {
        nodeId: s.nodeId,
        addresses: netIps(s.addresses),
        hostname: s.hostname,
        machineType: machineTypeEnum(s.machineType),
        operatingSystem: s.operatingSystem,
        ...controlPlane(s.apiServerPort),
      }),
    ),
  view: (s) => ({ nodeId: s.nodeId, ...view(s, false) }),
};

export const affiliateKind: ResourceKind<MemberResourceSpec> = {
  definition: defineResource({
    type: "Affiliates.cluster.talos.dev",
    defaultNamespace: NS.cluster,
    printColumns: [
      { name: "Hostname", jsonPath: "{.hostname}" },
      { name: "Machine Type", jsonPath: "{.machineType}" },
      { name: "Addresses", jsonPath: "{.addresses}" },
    ],
  }),
  encode: (s) =>
    toBinary(
      AffiliateSpecSchema,
      create(AffiliateSpecSchema, {
        nodeId: s.nodeId,
        addresses: netIps(s.addresses),
        hostname: s.hostname,
        nodename: s.hostname,
        operatingSystem: s.operatingSystem,
        machineType: machineTypeEnum(s.machineType),
        ...controlPlane(s.apiServerPort),
      }),
    ),
  view: (s) => view(s, true),
};

export const identityKind: ResourceKind<{ nodeId: string }> = {
  definition: defineResource({
    type: "Identities.cluster.talos.dev",
    defaultNamespace: NS.cluster,
    printColumns: [{ name: "ID", jsonPath: "{.nodeId}" }],
  }),
  encode: (s) => toBinary(IdentitySpecSchema, create(IdentitySpecSchema, { nodeId: s.nodeId })),
  view: (s) => ({ nodeId: s.nodeId }),
};
