// KubeSpan's derived values: the ULA subnet and EUI-64 address, the WireGuard key pair, the IP
// set of a peer's allowed prefixes, and peers following the affiliates that announce KubeSpan.
import { createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { describe, expect, it } from "vitest";
import { NetIPPrefixSchema, NetIPSchema } from "../../../gen/common/common_pb.js";
import {
  AffiliateSpecSchema,
  IdentitySpecSchema as ClusterIdentitySpecSchema,
  KubeSpanAffiliateSpecSchema,
} from "../../../gen/resource/definitions/cluster/cluster_pb.js";
import { ConfigSpecSchema } from "../../../gen/resource/definitions/kubespan/kubespan_pb.js";
import { HardwareAddrSpecSchema } from "../../../gen/resource/definitions/network/network_pb.js";
import { createClock } from "../../clock.js";
import {
  ControllerRuntime,
  ipBytes,
  ipText,
  messageKind,
  NS,
  ResourceStore,
  spec,
} from "../../resources/index.js";
import {
  eui64,
  ipSet,
  KUBESPAN_CONFIG,
  KUBESPAN_CONTROLLERS,
  peerSpec,
  rangePrefixes,
  ulaPrefix,
  wireguardKeys,
} from "./kubespan.js";
import { HARDWARE_ADDRESS } from "./network-common.js";
import { INPUT, type MachineSource } from "./source.js";

const AFFILIATE = messageKind("Affiliates.cluster.talos.dev", AffiliateSpecSchema);
const IDENTITY = messageKind("Identities.cluster.talos.dev", ClusterIdentitySpecSchema);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("kubespan", () => {
  it("places the node in the cluster's ULA /64 by its MAC, as Talos does", () => {
    const subnet = ulaPrefix("cluster-id", 0x02);
    expect(subnet[0]).toBe(0xfd);
    expect(subnet[7]).toBe(0x02);
    expect(hex(subnet.subarray(8))).toBe("0000000000000000");
    const addr = eui64(subnet, Uint8Array.from([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]));
    expect(hex(addr.subarray(0, 8))).toBe(hex(subnet.subarray(0, 8)));
    expect(hex(addr.subarray(8))).toBe("505400fffe123456");
  });

  it("derives a stable Curve25519 key pair per machine", () => {
    const a = wireguardKeys("uuid-a");
    expect(wireguardKeys("uuid-a")).toEqual(a);
    expect(wireguardKeys("uuid-b").publicKey).not.toBe(a.publicKey);
    const priv = Buffer.from(a.privateKey, "base64");
    expect(priv).toHaveLength(32);
    expect(priv[0]! & 7).toBe(0);
    // The public key is the private key's: a Diffie-Hellman with another pair agrees both ways.
    const b = wireguardKeys("uuid-b");
    const key = (k: { privateKey: string; publicKey: string }) =>
      createPrivateKey({
        key: {
          kty: "OKP",
          crv: "X25519",
          d: Buffer.from(k.privateKey, "base64").toString("base64url"),
          x: Buffer.from(k.publicKey, "base64").toString("base64url"),
        },
        format: "jwk",
      });
    const pub = (k: { publicKey: string }) =>
      createPublicKey({
        key: { kty: "OKP", crv: "X25519", x: Buffer.from(k.publicKey, "base64").toString("base64url") },
        format: "jwk",
      });
    expect(diffieHellman({ privateKey: key(a), publicKey: pub(b) })).toEqual(
      diffieHellman({ privateKey: key(b), publicKey: pub(a) }),
    );
  });

  it("merges and excludes ranges as an IP set, IPv4 first", () => {
    const r = (cidr: string) => {
      const [ip = "", bits = "0"] = cidr.split("/");
      const b = ipBytes(ip);
      const total = b.length * 8;
      const host = BigInt(total - Number(bits));
      let n = 0n;
      for (const x of b) n = (n << 8n) | BigInt(x);
      const from = (n >> host) << host;
      return { v6: b.length === 16, from, to: from + (1n << host) - 1n };
    };
    const set = ipSet(
      [r("fd00::1/128"), r("10.0.0.0/24"), r("10.0.1.0/24"), r("10.0.0.7/32")],
      [r("10.0.1.128/25")],
    );
    const text = set.flatMap(rangePrefixes).map((p) => `${ipText(p.ip)}/${p.bits}`);
    expect(text).toEqual(["10.0.0.0/24", "10.0.1.0/25", "fd00::1/128"]);
  });

  it("makes a peer of each other affiliate announcing KubeSpan while KubeSpan is enabled", () => {
    const store = ResourceStore.forNode(createClock());
    const source = { machineUuid: "m", now: () => new Date(0) } as unknown as MachineSource;
    const rt = new ControllerRuntime(store, source, KUBESPAN_CONTROLLERS.slice(2));
    rt.start();
    const affiliate = (id: string, ip: string, kubespan?: { key: string; address: string }) =>
      spec(AffiliateSpecSchema, {
        nodeId: id,
        nodename: `node-${id}`,
        addresses: [spec(NetIPSchema, { ip: ipBytes(ip) })],
        ...(kubespan
          ? {
              kubeSpan: spec(KubeSpanAffiliateSpecSchema, {
                publicKey: kubespan.key,
                address: spec(NetIPSchema, { ip: ipBytes(kubespan.address) }),
                additionalAddresses: [
                  spec(NetIPPrefixSchema, { ip: ipBytes("10.244.1.0"), prefixLength: 24 }),
                ],
                endpoints: [],
              }),
            }
          : {}),
      });
    store.set(IDENTITY, NS.cluster, "local", spec(ClusterIdentitySpecSchema, { nodeId: "self" }));
    store.set(
      AFFILIATE,
      NS.cluster,
      "self",
      affiliate("self", "10.5.0.2", { key: "selfkey=", address: "fd00::2" }),
    );
    store.set(AFFILIATE, NS.cluster, "b", affiliate("b", "10.5.0.3", { key: "bkey=", address: "fd00::3" }));
    store.set(AFFILIATE, NS.cluster, "c", affiliate("c", "10.5.0.4"));
    const peers = () => store.list(NS.kubespan, "KubeSpanPeerSpecs.kubespan.talos.dev");
    expect(peers()).toEqual([]);
    store.set(
      KUBESPAN_CONFIG,
      NS.config,
      "kubespan",
      spec(ConfigSpecSchema, { enabled: true, clusterId: "x" }),
    );
    expect(peers().map((p) => p.id)).toEqual(["bkey="]);
    const yaml = peers()[0]!.kind.yaml(peers()[0]!.spec);
    expect(yaml).toBe(
      "address: fd00::3\nallowedIPs:\n    - 10.5.0.3/32\n    - 10.244.1.0/24\n    - fd00::3/128\nendpoints: []\nlabel: node-b\n",
    );
    expect(peerSpec(affiliate("c", "10.5.0.4"))).toBeUndefined();
    store.set(
      KUBESPAN_CONFIG,
      NS.config,
      "kubespan",
      spec(ConfigSpecSchema, { enabled: false, clusterId: "x" }),
    );
    expect(peers()).toEqual([]);
    rt.close();
  });

  it("gives the node its identity once KubeSpan is enabled and STATE is mounted", () => {
    const store = ResourceStore.forNode(createClock());
    let mounted = false;
    const source = {
      machineUuid: "m",
      now: () => new Date(0),
      mounted: () => mounted,
    } as unknown as MachineSource;
    const rt = new ControllerRuntime(store, source, KUBESPAN_CONTROLLERS.slice(1, 2));
    rt.start();
    const mac = Uint8Array.from([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    store.set(
      HARDWARE_ADDRESS,
      NS.network,
      "first",
      spec(HardwareAddrSpecSchema, { name: "eth0", hardwareAddr: mac }),
    );
    store.set(
      KUBESPAN_CONFIG,
      NS.config,
      "kubespan",
      spec(ConfigSpecSchema, { enabled: true, clusterId: "x" }),
    );
    const identity = () => store.get(NS.kubespan, "KubeSpanIdentities.kubespan.talos.dev", "local");
    expect(identity()).toBeUndefined();
    mounted = true;
    rt.changed(INPUT.boot);
    const s = identity()?.spec as { address: { ip: Uint8Array }; publicKey: string };
    expect(hex(s.address.ip)).toBe(hex(eui64(ulaPrefix("x", 0x02), mac)));
    expect(s.publicKey).toBe(wireguardKeys("m").publicKey);
    rt.close();
  });
});
