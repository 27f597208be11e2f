// The files under /etc the network writes (hosts, resolv.conf and the rest), the static host
// names the host DNS answers, and the Kubernetes node name derived from the hostname.
import { isIP } from "node:net";
import {
  EtcFileSpecSpecSchema,
  EtcFileStatusSpecSchema,
} from "../../../gen/resource/definitions/files/files_pb.js";
import { NodenameSpecSchema } from "../../../gen/resource/definitions/k8s/k8s_pb.js";
import { StaticHostSpecSchema } from "../../../gen/resource/definitions/network/network_pb.js";
import { type Controller, ipText, NS, type ResourceStore, spec } from "../../resources/index.js";
import { isComplete } from "../config.js";
import { configStaticHosts } from "./config-facts.js";
import {
  ETC_FILE_SPEC,
  ETC_FILE_STATUS,
  ETC_SELINUX_LABEL,
  HOST_DNS_CONFIG,
  HOST_DNS_LISTEN,
  HOSTNAME_STATUS,
  NODE_ADDRESS,
  NODENAME,
  netIp,
  RESOLVER_STATUS,
  STATIC_HOST,
} from "./network-common.js";
import { INPUT, type MachineSource } from "./source.js";

/** Aligns the first column as Go's tabwriter (padding 1) does for /etc/hosts. */
function alignHosts(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([a]) => a.length)) + 1;
  return rows.map(([a, b]) => `${a.padEnd(width)}${b}\n`).join("");
}

export const etcFiles: Controller<MachineSource> = {
  name: "network.EtcFileController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.network, type: HOSTNAME_STATUS.definition.type },
    { namespace: NS.network, type: RESOLVER_STATUS.definition.type },
    { namespace: NS.network, type: NODE_ADDRESS.definition.type },
    { namespace: NS.network, type: HOST_DNS_CONFIG.definition.type },
  ],
  run({ source, get, put }) {
    const hostname = get(NS.network, HOSTNAME_STATUS.definition.type, "hostname")?.spec as
      | { hostname: string; domainname: string }
      | undefined;
    const address = get(NS.network, NODE_ADDRESS.definition.type, "default")?.spec as
      | { addresses: { ip: Uint8Array }[] }
      | undefined;
    const resolver = get(NS.network, RESOLVER_STATUS.definition.type, "resolvers")?.spec as
      | { dnsServers: { ip: Uint8Array }[]; searchDomains: string[] }
      | undefined;
    const hostDnsSpec = get(NS.network, HOST_DNS_CONFIG.definition.type, "config")?.spec as
      | { enabled: boolean }
      | undefined;
    const rows: [string, string][] = [["127.0.0.1", "localhost"]];
    const first = address?.addresses[0];
    if (hostname && first) {
      const fqdn = hostname.domainname ? `${hostname.hostname}.${hostname.domainname}` : hostname.hostname;
      rows.push([ipText(first.ip), fqdn === hostname.hostname ? fqdn : `${fqdn} ${hostname.hostname}`]);
    }
    rows.push(
      ["::1", "localhost ip6-localhost ip6-loopback"],
      ["ff02::1", "ip6-allnodes"],
      ["ff02::2", "ip6-allrouters"],
    );
    const extra = new Map<string, string[]>();
    for (const h of configStaticHosts(source.active()))
      extra.set(h.ip, [...(extra.get(h.ip) ?? []), ...h.aliases]);
    for (const ip of [...extra.keys()].sort()) rows.push([ip, extra.get(ip)!.join(" ")]);
    put(ETC_FILE_SPEC, NS.files, "hosts", etcFile(alignHosts(rows)));
    // In a container the runtime's resolv.conf stays.
    if (resolver && hostDnsSpec && source.platform.mode !== "container") {
      const servers = hostDnsSpec.enabled
        ? [HOST_DNS_LISTEN]
        : resolver.dnsServers.slice(0, 3).map((s) => ipText(s.ip));
      let text = servers.map((s) => `nameserver ${s}\n`).join("");
      if (resolver.searchDomains.length > 0) text += `\nsearch ${resolver.searchDomains.join(" ")}\n`;
      put(ETC_FILE_SPEC, NS.files, "resolv.conf", etcFile(text));
    }
  },
};

/** The contents an EtcFileSpec holds (what the file under /etc reads). */
export function etcFileContents(store: ResourceStore, name: string): Uint8Array | undefined {
  const r = store.get(NS.files, ETC_FILE_SPEC.definition.type, name);
  return r ? (r.spec as { contents: Uint8Array }).contents : undefined;
}

function etcFile(text: string) {
  return spec(EtcFileSpecSpecSchema, {
    contents: Buffer.from(text),
    mode: 0o644,
    selinuxLabel: ETC_SELINUX_LABEL,
  });
}

export const etcFileStatus: Controller<MachineSource> = {
  name: "files.EtcFileController",
  inputs: [],
  reads: [{ namespace: NS.files, type: ETC_FILE_SPEC.definition.type }],
  run({ list, put }) {
    for (const r of list(NS.files, ETC_FILE_SPEC.definition.type)) {
      put(ETC_FILE_STATUS, NS.files, r.id, spec(EtcFileStatusSpecSchema, { specVersion: String(r.version) }));
    }
  },
};

/**
 * Names the host DNS resolves locally: the config's static host entries and the node's own
 * hostname and FQDN (its current addresses), one resource per lower-cased name.
 */
export const staticHosts: Controller<MachineSource> = {
  name: "network.StaticHostController",
  inputs: [INPUT.config],
  reads: [
    { namespace: NS.network, type: HOSTNAME_STATUS.definition.type },
    { namespace: NS.network, type: NODE_ADDRESS.definition.type },
  ],
  run({ source, get, put }) {
    const hosts = new Map<string, string[]>();
    const add = (name: string, ips: readonly string[]) => {
      const key = name.toLowerCase().replace(/\.$/, "");
      if (key !== "") hosts.set(key, [...(hosts.get(key) ?? []), ...ips]);
    };
    for (const h of configStaticHosts(source.active())) {
      if (isIP(h.ip) !== 0) for (const alias of h.aliases) add(alias, [h.ip]);
    }
    const hostname = get(NS.network, HOSTNAME_STATUS.definition.type, "hostname")?.spec as
      | { hostname: string; domainname: string }
      | undefined;
    const current = get(NS.network, NODE_ADDRESS.definition.type, "current")?.spec as
      | { addresses: { ip: Uint8Array }[] }
      | undefined;
    if (hostname && current) {
      const ips = current.addresses.map((a) => ipText(a.ip));
      add(hostname.hostname, ips);
      if (hostname.domainname) add(`${hostname.hostname}.${hostname.domainname}`, ips);
    }
    for (const [name, ips] of hosts) {
      const unique = [...new Set(ips)].sort((a, b) => isIP(a) - isIP(b) || (a < b ? -1 : a > b ? 1 : 0));
      put(STATIC_HOST, NS.network, name, spec(StaticHostSpecSchema, { addresses: unique.map(netIp) }));
    }
  },
};

export const nodename: Controller<MachineSource> = {
  name: "k8s.NodenameController",
  inputs: [INPUT.config],
  reads: [{ namespace: NS.network, type: HOSTNAME_STATUS.definition.type }],
  run({ source, get, put }) {
    if (!isComplete(source.active())) return;
    const status = get(NS.network, HOSTNAME_STATUS.definition.type, "hostname");
    if (!status) return;
    const h = status.spec as { hostname: string };
    put(
      NODENAME,
      NS.k8s,
      "nodename",
      spec(NodenameSpecSchema, {
        nodename: h.hostname.toLowerCase(),
        hostnameVersion: String(status.version),
      }),
    );
  },
};
