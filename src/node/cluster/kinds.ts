// The discovery resources of the cluster namespace: Members (`get members`), Affiliates
// (`get affiliates`) and the node's own Identity, with Talos's cluster specs.
import { create } from "@bufbuild/protobuf";
import { NetIPPortSchema, NetIPPrefixSchema, NetIPSchema } from "../../gen/common/common_pb.js";
import {
  type AffiliateSpec,
  AffiliateSpecSchema,
  ControlPlaneSchema,
  IdentitySpecSchema,
  KubeSpanAffiliateSpecSchema,
  type MemberSpec,
  MemberSpecSchema,
} from "../../gen/resource/definitions/cluster/cluster_pb.js";
import { MachineType } from "../../gen/resource/definitions/enums/enums_pb.js";
import { ipBytes, messageKind } from "../resources/index.js";
import type { KubeSpanRecord } from "./registry.js";

export interface MemberResourceSpec {
  readonly nodeId: string;
  readonly addresses: readonly string[];
  readonly hostname: string;
  readonly machineType: string;
  readonly operatingSystem: string;
  readonly apiServerPort?: number;
  readonly kubespan?: KubeSpanRecord;
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

const prefix = (text: string) => {
  const [ip = "", bits = "0"] = text.split("/");
  return create(NetIPPrefixSchema, { ip: ipBytes(ip), prefixLength: Number(bits) });
};

const ipPort = (text: string) => {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text);
  return create(NetIPPortSchema, { ip: ipBytes(m?.[1] ?? ""), port: Number(m?.[2] ?? 0) });
};

/** An affiliate's KubeSpan part (cluster.KubeSpanAffiliateSpec), when the node announces one. */
function kubeSpan(k: KubeSpanRecord | undefined) {
  if (!k) return {};
  return {
    kubeSpan: create(KubeSpanAffiliateSpecSchema, {
      publicKey: k.publicKey,
      address: create(NetIPSchema, { ip: ipBytes(k.address) }),
      additionalAddresses: k.additionalAddresses.map(prefix),
      endpoints: k.endpoints.map(ipPort),
      excludeAdvertisedNetworks: k.excludeAdvertisedNetworks.map(prefix),
    }),
  };
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
    ...kubeSpan(s.kubespan),
  });
}

export function identitySpec(nodeId: string) {
  return create(IdentitySpecSchema, { nodeId });
}
