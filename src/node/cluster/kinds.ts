// The discovery resources of the cluster namespace: Members (`get members`), Affiliates
// (`get affiliates`) and the node's own Identity, with Talos's cluster specs.
import { create } from "@bufbuild/protobuf";
import { NetIPSchema } from "../../gen/common/common_pb.js";
import {
  type AffiliateSpec,
  AffiliateSpecSchema,
  ControlPlaneSchema,
  IdentitySpecSchema,
  type MemberSpec,
  MemberSpecSchema,
} from "../../gen/resource/definitions/cluster/cluster_pb.js";
import { MachineType } from "../../gen/resource/definitions/enums/enums_pb.js";
import { ipBytes, messageKind } from "../resources/index.js";

export interface MemberResourceSpec {
  readonly nodeId: string;
  readonly addresses: readonly string[];
  readonly hostname: string;
  readonly machineType: string;
  readonly operatingSystem: string;
  readonly apiServerPort?: number;
}

export const MEMBER = messageKind("Members.cluster.talos.dev", MemberSpecSchema);
export const AFFILIATE = messageKind("Affiliates.cluster.talos.dev", AffiliateSpecSchema);
export const IDENTITY = messageKind("Identities.cluster.talos.dev", IdentitySpecSchema);

function machineTypeEnum(t: string): MachineType {
  if (t === "controlplane") return MachineType.TYPE_CONTROL_PLANE;
  if (t === "worker") return MachineType.TYPE_WORKER;
  if (t === "init") return MachineType.TYPE_INIT;
  return MachineType.TYPE_UNKNOWN;
}

const netIps = (addresses: readonly string[]) =>
  addresses.map((a) => create(NetIPSchema, { ip: ipBytes(a) }));
const controlPlane = (port: number | undefined) =>
  port !== undefined ? { controlPlane: create(ControlPlaneSchema, { apiServerPort: BigInt(port) }) } : {};

export function memberSpec(s: MemberResourceSpec): MemberSpec {
  return create(MemberSpecSchema, {
    nodeId: s.nodeId,
    addresses: netIps(s.addresses),
    hostname: s.hostname,
    machineType: machineTypeEnum(s.machineType),
    operatingSystem: s.operatingSystem,
    ...controlPlane(s.apiServerPort),
  });
}

export function affiliateSpec(s: MemberResourceSpec): AffiliateSpec {
  return create(AffiliateSpecSchema, {
    nodeId: s.nodeId,
    addresses: netIps(s.addresses),
    hostname: s.hostname,
    nodename: s.hostname,
    operatingSystem: s.operatingSystem,
    machineType: machineTypeEnum(s.machineType),
    ...controlPlane(s.apiServerPort),
  });
}

export function identitySpec(nodeId: string) {
  return create(IdentitySpecSchema, { nodeId });
}
