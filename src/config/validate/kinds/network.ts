// Network documents (siderolabs/talos: pkg/machinery/config/types/network).
import type { Check, KindTable } from "../check.js";
import { type Data, filled, get, has, list, num, obj, str, strs } from "../data.js";
import {
  goDecodeBase64,
  goFormatDuration,
  goHostname,
  goParseDuration,
  goParseIP,
  goParseURL,
  goQuote,
  isSubnetOrAddress,
  netipParseAddr,
  netipParsePrefix,
} from "../go.js";
import { parseNetipPrefix } from "./k8s.js";

const RESERVED_RULE_PRIORITIES = [0, 32500, 32766, 32767];
const RESERVED_VRF_TABLES = ["", "unspec", "0", "local", "255", "main", "254", "default", "253"];
const PRIMARY_BOND_MODES = ["active-backup", "balance-tlb", "balance-alb"];

const isUnspecified = (addr: string) => addr === "0.0.0.0" || /^[0:]+$/.test(addr) || addr === "::";

/** CommonLinkConfig.Validate: addresses and routes of every link kind. */
function checkCommonLink(c: Check, base: readonly (string | number)[] = []): void {
  list(c.data, [...base, "addresses"]).forEach((a, i) => {
    const address = str(a, ["address"]);
    const at = [...base, "addresses", i, "address"];
    if (address === "") c.error(`address ${i} must be specified`, at);
    else if (netipParsePrefix(address) !== undefined) c.error(`address ${i} must be a valid IP prefix`, at);
    else if (isUnspecified(address.slice(0, address.lastIndexOf("/"))))
      c.error(`address ${i} must be a valid IP address`, at);
  });
  list(c.data, [...base, "routes"]).forEach((r, i) => {
    const at = [...base, "routes", i];
    const dst = str(r, ["destination"]);
    if (
      dst !== "" &&
      (netipParsePrefix(dst) !== undefined || isUnspecified(dst.slice(0, dst.lastIndexOf("/"))))
    )
      c.error(`route ${i} destination must be a valid IP prefix`, [...at, "destination"]);
    for (const field of ["gateway", "source"] as const) {
      const v = str(r, [field]);
      if (v !== "" && (netipParseAddr(v) !== undefined || isUnspecified(v)))
        c.error(`route ${i} ${field} must be a valid IP address`, [...at, field]);
    }
  });
}

function nameSpecified(c: Check): void {
  if (c.name === "") c.error("name must be specified", ["name"]);
}

function linkKind(extra?: (c: Check) => void) {
  return {
    validate: (c: Check) => {
      nameSpecified(c);
      extra?.(c);
      checkCommonLink(c);
    },
  };
}

function durationNegative(value: unknown): boolean {
  const d = goParseDuration(typeof value === "string" ? value : "");
  return d !== undefined && d < 0;
}

function durationText(value: unknown): string {
  const d = goParseDuration(typeof value === "string" ? value : "") ?? 0;
  return goFormatDuration(d);
}

function checkProbe(c: Check): void {
  if (durationNegative(get(c.data, ["interval"])))
    c.error(`probe interval cannot be negative: ${durationText(get(c.data, ["interval"]))}`, ["interval"]);
  const threshold = num(c.data, ["failureThreshold"]) ?? 0;
  if (threshold < 0)
    c.error(`probe failure threshold cannot be negative: ${threshold}`, ["failureThreshold"]);
}

/** Go's base64 check of a WireGuard key: an error text, or undefined. */
function wireguardKeyError(key: string): string | undefined {
  const r = goDecodeBase64(key);
  if ("error" in r) return r.error;
  return r.bytes.length === 32 ? undefined : "invalid wireguard key length";
}

function vethNameError(field: string, name: string): string | undefined {
  if (name === "") return `${field} must be specified`;
  if (Buffer.byteLength(name) > 15) return `${field} must not exceed 15 bytes`;
  if (name === "." || name === "..") return `${field} must not be ${goQuote(name)}`;
  if (/[/:]/.test(name)) return `${field} must not contain '/' or ':'`;
  if (/[\s\p{C}]/u.test(name)) return `${field} must not contain whitespace or non-printable characters`;
  return undefined;
}

function overlaps(
  a: { v6: boolean; bits: number; value: bigint },
  b: { v6: boolean; bits: number; value: bigint },
) {
  if (a.v6 !== b.v6) return false;
  const len = a.v6 ? 128 : 32;
  const bits = Math.min(a.bits, b.bits);
  const shift = BigInt(len - bits);
  return a.value >> shift === b.value >> shift;
}

function prefixValue(
  text: string,
): { v6: boolean; bits: number; value: bigint; masked: boolean } | undefined {
  const p = parseNetipPrefix(text);
  if (p === undefined) return undefined;
  const addr = text.slice(0, text.lastIndexOf("/"));
  let value = 0n;
  if (!p.v6) value = addr.split(".").reduce((acc, x) => (acc << 8n) | BigInt(Number(x)), 0n);
  else {
    const [head, tail] = addr.includes("::") ? addr.split("::") : [addr, undefined];
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const parts = [...h, ...Array<string>(tail === undefined ? 0 : 8 - h.length - t.length).fill("0"), ...t];
    value = parts.reduce((acc, x) => (acc << 16n) | BigInt(Number.parseInt(x || "0", 16)), 0n);
  }
  return { v6: p.v6, bits: p.bits, value, masked: p.masked };
}

function checkBGP(c: Check): void {
  const d = c.data;
  nameSpecified(c);
  if ((num(d, ["localASN"]) ?? 0) === 0) c.error("localASN must be specified", ["localASN"]);
  const routerID = str(d, ["routerID"]);
  if (routerID !== "" && routerID.includes(":")) c.error("routerID must be an IPv4 address", ["routerID"]);
  const neighbors = list(d, ["neighbors"]);
  if (neighbors.length === 0) c.warn("BGPInstanceConfig has no neighbors configured", ["neighbors"]);
  const seen = new Set<string>();
  const vrf = str(d, ["vrf"]);
  neighbors.forEach((n, i) => {
    const at = ["neighbors", i];
    const address = str(n, ["address"]);
    const link = str(n, ["link"]);
    let key: string | undefined;
    if ((address !== "") === (link !== ""))
      c.error(`neighbor[${i}]: exactly one of address or link must be set`, at);
    else key = address !== "" ? address : link;
    if (durationNegative(get(n, ["holdTime"])))
      c.error(`neighbor[${i}]: holdTime must not be negative`, [...at, "holdTime"]);
    if (has(n, ["bfd"])) {
      if (vrf !== "")
        c.error(`neighbor[${i}]: bfd is not supported for VRF-bound BGP instances`, [...at, "bfd"]);
      if (durationNegative(get(n, ["bfd", "transmitInterval"])))
        c.error(`neighbor[${i}]: bfd.transmitInterval must not be negative`, [
          ...at,
          "bfd",
          "transmitInterval",
        ]);
      if (durationNegative(get(n, ["bfd", "receiveInterval"])))
        c.error(`neighbor[${i}]: bfd.receiveInterval must not be negative`, [
          ...at,
          "bfd",
          "receiveInterval",
        ]);
    }
    if (key === undefined) return;
    if (seen.has(key)) c.error(`neighbor[${i}]: duplicate neighbor ${goQuote(key)}`, at);
    seen.add(key);
  });

  const sources = new Set<string>();
  const selectors: { prefix: ReturnType<typeof prefixValue> & object; text: string; route: number }[] = [];
  list(d, ["importRoutes"]).forEach((route, i) => {
    const at = ["importRoutes", i];
    const source = str(route, ["bgpInstance"]);
    if (source === "") c.error(`importRoutes[${i}]: bgpInstance must be specified`, [...at, "bgpInstance"]);
    else if (source === c.name)
      c.error(`importRoutes[${i}]: cannot import from the same BGP instance ${goQuote(c.name)}`, [
        ...at,
        "bgpInstance",
      ]);
    const prefixes = strs(route, ["prefixes"]);
    if (prefixes.length === 0)
      c.error(`importRoutes[${i}]: at least one prefix must be specified`, [...at, "prefixes"]);
    prefixes.forEach((text, j) => {
      const p = prefixValue(text);
      if (p === undefined) {
        c.error(`importRoutes[${i}].prefixes[${j}]: invalid prefix`, [...at, "prefixes", j]);
        return;
      }
      if (!p.masked)
        c.error(`importRoutes[${i}].prefixes[${j}]: prefix ${text} must be masked`, [...at, "prefixes", j]);
      for (let k = 0; k < j; k++) {
        const other = prefixValue(prefixes[k]!);
        if (other !== undefined && overlaps(other, p))
          c.error(
            `importRoutes[${i}].prefixes[${j}]: prefix ${text} overlaps prefixes[${k}] ${prefixes[k]}`,
            [...at, "prefixes", j],
          );
      }
    });
    if (source !== "") {
      if (sources.has(source))
        c.error(`importRoutes[${i}]: duplicate source BGP instance ${goQuote(source)}`, [
          ...at,
          "bgpInstance",
        ]);
      sources.add(source);
    }
    for (const text of prefixes) {
      const p = prefixValue(text);
      if (p === undefined || !p.masked) continue;
      for (const s of selectors) {
        if (s.route !== i && overlaps(s.prefix, p)) {
          c.error(`importRoutes[${i}]: prefix ${text} overlaps importRoutes[${s.route}] prefix ${s.text}`, [
            ...at,
            "prefixes",
          ]);
        }
      }
      selectors.push({ prefix: p, text, route: i });
    }
  });
}

function dhcp(c: Check): void {
  nameSpecified(c);
  const duid = str(c.data, ["duidRaw"]) !== "";
  const byDUID = str(c.data, ["clientIdentifier"]) === "duid";
  if (duid && !byDUID) c.error("duidRaw can only be set if clientIdentifier is 'duid'", ["duidRaw"]);
  if (byDUID && !duid) c.error("duidRaw must be set if clientIdentifier is 'duid'", ["duidRaw"]);
}

function vipName(c: Check): void {
  if (c.name === "") c.error("name must be specified", ["name"]);
  else {
    const e = netipParseAddr(c.name);
    if (e !== undefined) c.error(`name must be a valid IP address: ${e}`, ["name"]);
  }
  if (str(c.data, ["link"]) === "") c.error("link must be specified", ["link"]);
}

const legacyNetwork = (legacy: Data) => obj(legacy, ["machine", "network"]);

export const NETWORK_RULES: KindTable = {
  BGPInstanceConfig: { validate: checkBGP },
  BlackholeRouteConfig: {
    validate: (c) => {
      nameSpecified(c);
      const e = netipParsePrefix(c.name);
      if (e !== undefined) c.error(`name must be a valid address prefix: ${e}`, ["name"]);
    },
  },
  BondConfig: {
    validate: (c) => {
      const d = c.data;
      nameSpecified(c);
      if (strs(d, ["links"]).length === 0) c.error("at least one link must be specified", ["links"]);
      const mode = has(d, ["bondMode"]) ? str(d, ["bondMode"]) : undefined;
      if (mode === undefined) c.error("bond mode must be specified", ["bondMode"]);
      // Talos 1.13 brought the 802.3ad warnings.
      else if (mode === "802.3ad" && c.atLeast(1, 13)) {
        for (const [field, label] of [
          ["miimon", "miimon"],
          ["updelay", "updelay"],
          ["downdelay", "downdelay"],
        ] as const) {
          if (!has(d, [field])) c.warn(`${label} was not specified for 802.3ad bond`, [field]);
        }
      }
      const usesPrimary = mode !== undefined && PRIMARY_BOND_MODES.includes(mode);
      if (has(d, ["primary"])) {
        const primary = str(d, ["primary"]);
        if (primary === "") c.error("primary link name can't be empty", ["primary"]);
        else if (!strs(d, ["links"]).includes(primary))
          c.error(`primary link ${goQuote(primary)} is not in the list of bonded links`, ["primary"]);
        if (mode !== undefined && !usesPrimary)
          c.error(`primary link is not supported in ${goQuote(mode)} bond mode`, ["primary"]);
      } else if (has(d, ["primaryReselect"]) && usesPrimary && c.atLeast(1, 15)) {
        c.warn("primaryReselect has no effect unless primary is specified", ["primaryReselect"]);
      }
      checkCommonLink(c);
    },
  },
  BridgeConfig: linkKind(),
  DHCPv4Config: { validate: dhcp },
  DHCPv6Config: { validate: dhcp },
  DummyLinkConfig: linkKind(),
  EthernetConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name is required", ["name"]);
    },
  },
  HCloudVIPConfig: {
    validate: (c) => {
      vipName(c);
      if (str(c.data, ["apiToken"]) === "") c.error("apiToken must be specified", ["apiToken"]);
    },
  },
  HostnameConfig: {
    validate: (c) => {
      const set = has(c.data, ["auto"]);
      // An unset auto reads as its zero value, "off".
      const auto = set ? str(c.data, ["auto"]) : "off";
      const hostname = str(c.data, ["hostname"]);
      // Until 1.14 an explicit `auto: off` without a hostname was refused too.
      if ((!set || (auto === "off" && !c.atLeast(1, 14))) && hostname === "")
        c.error("either 'auto' or 'hostname' must be set");
      if (auto !== "off" && hostname !== "")
        c.error("'auto' and 'hostname' cannot be set at the same time", ["auto"]);
      if (auto !== "off" && auto !== "stable") c.error(`invalid value for 'auto': ${auto}`, ["auto"]);
      if (hostname !== "") {
        if (hostname.length > 253) c.error(`fqdn is too long: ${hostname.length}`, ["hostname"]);
        const first = hostname.split(".")[0]!;
        if (first.length === 0 || first.length > 63)
          c.error(`invalid hostname ${goQuote(first)}`, ["hostname"]);
      }
    },
    conflict: (legacy) => {
      if (str(legacyNetwork(legacy), ["hostname"]) !== "")
        return "static hostname is already set in v1alpha1 config";
      if (get(legacy, ["machine", "features", "stableHostname"]) === true)
        return "stable hostname is already set in v1alpha1 config";
      return undefined;
    },
  },
  HTTPProbeConfig: {
    validate: (c) => {
      if (c.name === "") c.error("probe name is required", ["name"]);
      const url = str(c.data, ["url"]);
      if (url === "") c.error("HTTP probe URL is required", ["url"]);
      else {
        const u = goParseURL(url);
        if (u.scheme !== "http" && u.scheme !== "https")
          c.error(`HTTP probe URL scheme must be http or https, got ${goQuote(u.scheme)}`, ["url"]);
        else if (u.opaque !== "" || goHostname(u.host) === "")
          c.error("HTTP probe URL must be an absolute http or https URL with a non-empty host", ["url"]);
      }
      if (durationNegative(get(c.data, ["timeout"])))
        c.error(`HTTP probe timeout cannot be negative: ${durationText(get(c.data, ["timeout"]))}`, [
          "timeout",
        ]);
      checkProbe(c);
    },
  },
  KubeSpanConfig: {
    validate: (c) => {
      const mtu = num(c.data, ["mtu"]);
      if (mtu !== undefined && mtu < 1280) c.error("kubespan link MTU must be at least 1280", ["mtu"]);
      strs(c.data, ["filters", "endpoints"]).forEach((cidr, i) => {
        const s = cidr.replace(/^!/, "");
        if (!isSubnetOrAddress(s))
          c.error(`KubeSpan endpoint filter is not valid: ${goQuote(s)}`, ["filters", "endpoints", i]);
      });
    },
    conflict: (legacy) =>
      has(legacyNetwork(legacy), ["kubespan"])
        ? "kubespan is already configured in v1alpha1 machine.network.kubespan"
        : undefined,
  },
  Layer2VIPConfig: { validate: vipName },
  LinkAliasConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name must be specified", ["name"]);
      else if (c.name.includes("%") && c.atLeast(1, 13)) {
        const cut = c.name.indexOf("%");
        if (c.name.slice(cut + 1) !== "d" || cut === 0)
          c.error(`name ${goQuote(c.name)} contains an invalid format verb, use %d suffix`, ["name"]);
      }
      c.celBool(["selector", "match"], "link", "link selector is invalid", "link selector is required");
    },
  },
  LinkConfig: linkKind(),
  NetworkRuleConfig: {
    validate: (c) => {
      if (c.name === "") {
        c.error("name is required", ["name"]);
        return;
      }
      const ports = list(c.data, ["portSelector", "ports"]);
      if (ports.length === 0) {
        c.error("portSelector.ports is required", ["portSelector", "ports"]);
        return;
      }
      const e = portRangesError(ports);
      if (e !== undefined) {
        c.error(e, ["portSelector", "ports"]);
        return;
      }
      for (const [i, rule] of list(c.data, ["ingress"]).entries()) {
        const subnet = str(rule, ["subnet"]);
        if (subnet === "" || netipParsePrefix(subnet) !== undefined) {
          c.error(`invalid subnet: ${subnet === "" ? "invalid Prefix" : subnet}`, ["ingress", i, "subnet"]);
          return;
        }
        const except = str(rule, ["except"]);
        if (except !== "" && netipParsePrefix(except) !== undefined) {
          c.error(`invalid except: ${except}`, ["ingress", i, "except"]);
          return;
        }
      }
    },
  },
  ResolverConfig: {
    validate: (c) => {
      const d = c.data;
      if (filled(d, ["hostDNS"]) && get(d, ["hostDNS", "enabled"]) !== true) {
        if (get(d, ["hostDNS", "forwardKubeDNSToHost"]) === true)
          c.error("hostDNS.forwardKubeDNSToHost cannot be enabled when hostDNS.enabled is false", [
            "hostDNS",
            "forwardKubeDNSToHost",
          ]);
        if (get(d, ["hostDNS", "resolveMemberNames"]) === true)
          c.error("hostDNS.resolveMemberNames cannot be enabled when hostDNS.enabled is false", [
            "hostDNS",
            "resolveMemberNames",
          ]);
      }
      const nameservers = list(d, ["nameservers"]);
      let encrypted = 0;
      nameservers.forEach((ns, i) => {
        const at = ["nameservers", i];
        const protocol = str(ns, ["protocol"]) || "Do53";
        const tls = str(ns, ["tlsServerName"]);
        if (protocol === "DoT" || protocol === "DoH") {
          encrypted++;
          if (tls === "")
            c.error(`tlsServerName must be set when protocol is ${protocol}: entry ${i}`, [
              ...at,
              "tlsServerName",
            ]);
        } else if (protocol === "Do53") {
          if (tls !== "")
            c.error(`tlsServerName must be empty when protocol is Do53: entry ${i}`, [
              ...at,
              "tlsServerName",
            ]);
        } else c.error(`unsupported DNS protocol: entry ${i}`, [...at, "protocol"]);
        if (netipParseAddr(str(ns, ["address"])) !== undefined)
          c.error(`nameserver address must be a valid IP: entry ${i}`, [...at, "address"]);
      });
      if (encrypted > 0 && encrypted === nameservers.length) {
        c.warn(
          "all configured nameservers use encrypted DNS (DoT or DoH): validating certificates requires a correct system clock, so boot may stall when NTP servers are configured by hostname; consider keeping at least one plain-DNS fallback or configuring NTP servers by IP address",
          ["nameservers"],
        );
      }
    },
    conflict: (legacy, c) => {
      const net = legacyNetwork(legacy);
      if (has(net, ["searchDomains"]))
        return ".machine.network.searchDomains is already set in v1alpha1 config";
      if (has(net, ["nameservers"])) return ".machine.network.nameservers is already set in v1alpha1 config";
      if (get(net, ["disableSearchDomain"]) === true)
        return ".machine.network.disableSearchDomain is already set in v1alpha1 config";
      if (filled(c.data, ["hostDNS"]) && has(legacy, ["machine", "features", "hostDNS"]))
        return ".machine.features.hostDNS is already set in v1alpha1 config";
      return undefined;
    },
  },
  RoutingRuleConfig: {
    validate: (c) => {
      const d = c.data;
      nameSpecified(c);
      let priority = 0;
      if (!/^\d+$/.test(c.name) || Number(c.name) > 0xffffffff) {
        const why = /^\d+$/.test(c.name) ? "value out of range" : "invalid syntax";
        c.error(
          `invalid name: must be priority parsable unsigned integer: strconv.ParseUint: parsing ${goQuote(c.name)}: ${why}`,
          ["name"],
        );
      } else priority = Number(c.name);
      if (RESERVED_RULE_PRIORITIES.includes(priority)) {
        c.error(
          `priority must be between 1 and 32765 (excluding reserved priorities [0 32500 32766 32767])`,
          ["name"],
        );
      }
      const table = str(d, ["table"]);
      const action = str(d, ["action"]);
      if (
        (table === "" || table === "unspec" || table === "0") &&
        (action === "" || action === "unspec" || action === "unicast")
      ) {
        c.error("either table or a non-unicast action must be specified", ["table"]);
      }
      if ((num(d, ["fwMask"]) ?? 0) !== 0 && (num(d, ["fwMark"]) ?? 0) === 0)
        c.error("fwMask requires fwMark to be set", ["fwMask"]);
    },
  },
  StaticHostConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name is required", ["name"]);
      if (netipParseAddr(c.name) !== undefined) c.error("name must be a valid IP address", ["name"]);
      if (strs(c.data, ["hostnames"]).length === 0)
        c.error("at least one hostname is required", ["hostnames"]);
    },
  },
  TCPProbeConfig: {
    validate: (c) => {
      if (c.name === "") c.error("probe name is required", ["name"]);
      if (str(c.data, ["endpoint"]) === "") c.error("TCP probe endpoint is required", ["endpoint"]);
      if (durationNegative(get(c.data, ["timeout"])))
        c.error(`TCP probe timeout cannot be negative: ${durationText(get(c.data, ["timeout"]))}`, [
          "timeout",
        ]);
      checkProbe(c);
    },
  },
  TimeSyncConfig: {
    validate: (c) => {
      const d = c.data;
      if (durationNegative(get(d, ["bootTimeout"])))
        c.error("bootTimeout cannot be negative", ["bootTimeout"]);
      if (has(d, ["ntp"]) && has(d, ["ptp"]))
        c.error("only one of ntp or ptp configuration can be specified", ["ptp"]);
      if (get(d, ["ntp", "useNTS"]) === true) {
        strs(d, ["ntp", "servers"]).forEach((server, i) => {
          if (goParseIP(server))
            c.error(`NTS requires hostnames, not IP addresses: ${goQuote(server)}`, ["ntp", "servers", i]);
        });
      }
    },
    conflict: (legacy) => {
      const time = obj(legacy, ["machine", "time"]);
      if (!has(legacy, ["machine", "time"])) return undefined;
      if (get(time, ["disabled"]) === true)
        return "time sync cannot be disabled in both v1alpha1 and new-style configuration";
      if (strs(time, ["servers"]).length > 0)
        return "time servers cannot be specified in both v1alpha1 and new-style configuration";
      if ((goParseDuration(str(time, ["bootTimeout"])) ?? 0) !== 0)
        return "boot timeout cannot be specified in both v1alpha1 and new-style configuration";
      return undefined;
    },
  },
  VethConfig: {
    validate: (c) => {
      const peer = str(c.data, ["peer", "name"]);
      const e1 = vethNameError("name", c.name);
      if (e1 !== undefined) c.error(e1, ["name"]);
      const e2 = vethNameError("peer name", peer);
      if (e2 !== undefined) c.error(e2, ["peer", "name"]);
      if (c.name !== "" && c.name === peer) c.error("name and peer name must be different", ["peer", "name"]);
      checkCommonLink(c);
      checkCommonLink(c, ["peer"]);
    },
  },
  VLANConfig: linkKind((c) => {
    const id = num(c.data, ["vlanID"]) ?? 0;
    if (id === 0 || id > 4094) c.error("vlanID must be specified and between 1 and 4094", ["vlanID"]);
    if (str(c.data, ["parent"]) === "") c.error("parent must be specified", ["parent"]);
    const mode = get(c.data, ["vlanMode"]);
    if (mode !== undefined && mode !== null && mode !== "802.1q" && mode !== "802.1ad")
      c.error("vlanMode must be either '802.1q' or '802.1ad'", ["vlanMode"]);
  }),
  VRFConfig: linkKind((c) => {
    const table = str(c.data, ["table"]);
    if (RESERVED_VRF_TABLES.includes(table)) {
      const name =
        table === "" || table === "0"
          ? "unspec"
          : table === "255"
            ? "local"
            : table === "254"
              ? "main"
              : table === "253"
                ? "default"
                : table;
      c.error(`cannot create vrf with reserved table ${name}`, ["table"]);
    }
  }),
  WireguardConfig: {
    validate: (c) => {
      const d = c.data;
      nameSpecified(c);
      const key = str(d, ["privateKey"]);
      if (key === "") c.error("wireguard private key must be specified", ["privateKey"]);
      else {
        const e = wireguardKeyError(key);
        if (e !== undefined) c.error(`wireguard private key is invalid: ${e}`, ["privateKey"]);
      }
      const port = num(d, ["listenPort"]) ?? 0;
      if (port < 0 || port > 65535)
        c.error("wireguard listen port must be between 0 and 65535", ["listenPort"]);
      list(d, ["peers"]).forEach((peer, i) => {
        const at = ["peers", i];
        const pub = str(peer, ["publicKey"]);
        if (pub === "")
          c.error(`wireguard peer public key must be specified (peer index ${i})`, [...at, "publicKey"]);
        else {
          const e = wireguardKeyError(pub);
          if (e !== undefined)
            c.error(`wireguard peer public key is invalid (peer index ${i}): ${e}`, [...at, "publicKey"]);
        }
        const psk = str(peer, ["presharedKey"]);
        if (psk !== "") {
          const e = wireguardKeyError(psk);
          if (e !== undefined)
            c.error(`wireguard peer preshared key is invalid (peer index ${i}): ${e}`, [
              ...at,
              "presharedKey",
            ]);
        }
        if (durationNegative(get(peer, ["persistentKeepaliveInterval"])))
          c.error(`wireguard peer persistent keepalive interval cannot be negative (peer index ${i})`, [
            ...at,
            "persistentKeepaliveInterval",
          ]);
      });
      checkCommonLink(c);
    },
  },
};

/** PortRanges.Validate over the written ports (`80`, `8000-9000`), sorted by their low end. */
function portRangesError(ports: readonly unknown[]): string | undefined {
  const ranges = ports.map((p) => {
    const s = String(p);
    const [lo, hi] = s.includes("-") ? s.split("-").map(Number) : [Number(s), Number(s)];
    return { lo: lo ?? 0, hi: hi ?? 0 };
  });
  ranges.sort((a, b) => a.lo - b.lo);
  const fmt = (r: { lo: number; hi: number }) => `${r.lo}-${r.hi}`;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (r.lo > r.hi) return `invalid port range: ${fmt(r)}`;
    if (i > 0) {
      const prev = ranges[i - 1]!;
      if (r.lo === prev.lo || r.lo <= prev.hi)
        return `invalid port range: ${fmt(r)}, overlaps with ${fmt(prev)}`;
    }
  }
  return undefined;
}
