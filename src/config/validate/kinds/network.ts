// Network documents (siderolabs/talos: pkg/machinery/config/types/network).
import type { Check, KindTable } from "../check.js";
import { type Data, get, has, list, num, obj, str, strs } from "../data.js";
import {
  goDecodeBase64,
  goFormatDuration,
  goHostname,
  goParseDuration,
  goParseIP,
  goParseURL,
  goQuote,
} from "../go.js";
import {
  canonicalIP,
  canonicalPrefix,
  isMasked,
  netipAddrError,
  netipPrefixError,
  type Prefix,
  parseIP,
  parsePrefix,
} from "../net.js";

const RESERVED_RULE_PRIORITIES = [0, 32500, 32766, 32767];
const PRIMARY_BOND_MODES = ["active-backup", "balance-tlb", "balance-alb"];

/** netip's IsUnspecified: 0.0.0.0 or :: (without a zone; ::ffff:0.0.0.0 is neither). */
const isUnspecified = (addr: string) => !addr.includes("%") && parseIP(addr)?.value === 0n;

/**
 * An enum value as Talos's generated text decoders read it (the name, or any case of it): the
 * name, or undefined when it is none of them.
 */
function enumName(value: unknown, names: readonly string[]): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const text = String(value);
  return names.find((n) => n === text) ?? names.find((n) => n.toLowerCase() === text.toLowerCase());
}

/** An enum field: its name when it is one, else the value as written ("" when unset). */
function enumField(data: unknown, path: readonly (string | number)[], names: readonly string[]): string {
  return enumName(get(data, path), names) ?? str(data, path);
}

const BOND_MODES = [
  "balance-rr",
  "active-backup",
  "balance-xor",
  "broadcast",
  "802.3ad",
  "balance-tlb",
  "balance-alb",
];
const DNS_PROTOCOLS = ["Do53", "DoT", "DoH"];
const AUTO_HOSTNAME_KINDS = ["off", "talos-addr", "stable"];
const CLIENT_IDENTIFIERS = ["none", "mac", "duid"];
const VLAN_PROTOCOLS = ["802.1q", "802.1ad"];
const RULE_ACTIONS = ["unspec", "unicast", "blackhole", "unreachable", "prohibit"];
/** The routing table names of the reserved tables (the others are named by their number). */
const TABLE_NAMES: Readonly<Record<string, string>> = {
  unspec: "unspec",
  "0": "unspec",
  default: "default",
  "253": "default",
  main: "main",
  "254": "main",
  local: "local",
  "255": "local",
};

/** A routing table as its name (`unspec` when unset). */
function tableName(data: unknown, path: readonly (string | number)[]): string {
  const text = str(data, path);
  if (text === "") return "unspec";
  return TABLE_NAMES[text.toLowerCase()] ?? text;
}

/**
 * Whether the rules validated are those of a release carrying a change that came in at `since`
 * (per minor release, the first patch that has it; every later minor has it too). The patch is the
 * node's own when it runs the contract's minor release, else the minor's first.
 */
function hasChange(c: Check, since: readonly (readonly [number, number, number])[]): boolean {
  const contract = c.options.contract;
  const last = since[since.length - 1]!;
  if (contract === undefined || c.atLeast(last[0], last[1])) return true;
  const entry = since.find(([major, minor]) => major === contract.major && minor === contract.minor);
  if (entry === undefined) return false;
  const node = c.options.talosVersion;
  const patch =
    node !== undefined && node.major === contract.major && node.minor === contract.minor
      ? Number(/^v?\d+\.\d+\.(\d+)/.exec(node.text)?.[1] ?? 0)
      : 0;
  return patch >= entry[2];
}

/** CommonLinkConfig.Validate: addresses and routes of every link kind. */
function checkCommonLink(c: Check, base: readonly (string | number)[] = []): void {
  list(c.data, [...base, "addresses"]).forEach((a, i) => {
    const address = str(a, ["address"]);
    const at = [...base, "addresses", i, "address"];
    if (address === "") c.error(`address ${i} must be specified`, at);
    else if (netipPrefixError(address) !== undefined) c.error(`address ${i} must be a valid IP prefix`, at);
    else if (isUnspecified(address.slice(0, address.lastIndexOf("/"))))
      c.error(`address ${i} must be a valid IP address`, at);
  });
  list(c.data, [...base, "routes"]).forEach((r, i) => {
    const at = [...base, "routes", i];
    const dst = str(r, ["destination"]);
    if (
      dst !== "" &&
      (netipPrefixError(dst) !== undefined || isUnspecified(dst.slice(0, dst.lastIndexOf("/"))))
    )
      c.error(`route ${i} destination must be a valid IP prefix`, [...at, "destination"]);
    for (const field of ["gateway", "source"] as const) {
      const v = str(r, [field]);
      if (v !== "" && (netipAddrError(v) !== undefined || isUnspecified(v)))
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

/** Two prefixes overlap when one holds the other's address (netip Contains either way). */
function overlaps(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const shift = BigInt((a.family === 4 ? 32 : 128) - Math.min(a.bits, b.bits));
  return a.value >> shift === b.value >> shift;
}

/** A prefix netip accepts, with its canonical text; undefined when it is not one. */
function netipPrefix(text: string): { prefix: Prefix; text: string } | undefined {
  if (netipPrefixError(text) !== undefined) return undefined;
  const prefix = parsePrefix(text);
  return prefix === undefined ? undefined : { prefix, text: canonicalPrefix(text)! };
}

function checkBGP(c: Check): void {
  const d = c.data;
  nameSpecified(c);
  if ((num(d, ["localASN"]) ?? 0) === 0) c.error("localASN must be specified", ["localASN"]);
  // An IPv4-mapped IPv6 address is not an IPv4 address either.
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
    // Neighbors are told apart by the address as netip writes it.
    else key = address !== "" ? (canonicalIP(address) ?? address) : link;
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
  const selectors: { prefix: Prefix; text: string; route: number }[] = [];
  list(d, ["importRoutes"]).forEach((route, i) => {
    const at = ["importRoutes", i];
    const source = str(route, ["bgpInstance"]);
    if (source === "") c.error(`importRoutes[${i}]: bgpInstance must be specified`, [...at, "bgpInstance"]);
    else if (source === c.name)
      c.error(`importRoutes[${i}]: cannot import from the same BGP instance ${goQuote(c.name)}`, [
        ...at,
        "bgpInstance",
      ]);
    const texts = strs(route, ["prefixes"]);
    if (texts.length === 0)
      c.error(`importRoutes[${i}]: at least one prefix must be specified`, [...at, "prefixes"]);
    const prefixes = texts.map(netipPrefix);
    prefixes.forEach((p, j) => {
      const pat = [...at, "prefixes", j];
      if (p === undefined) {
        c.error(`importRoutes[${i}].prefixes[${j}]: invalid prefix`, pat);
        return;
      }
      if (!isMasked(p.prefix))
        c.error(`importRoutes[${i}].prefixes[${j}]: prefix ${p.text} must be masked`, pat);
      for (let k = 0; k < j; k++) {
        const other = prefixes[k];
        if (other !== undefined && overlaps(other.prefix, p.prefix))
          c.error(
            `importRoutes[${i}].prefixes[${j}]: prefix ${p.text} overlaps prefixes[${k}] ${other.text}`,
            pat,
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
    // Only valid, masked prefixes take part in the check across imports.
    prefixes.forEach((p, j) => {
      if (p === undefined || !isMasked(p.prefix)) return;
      for (const s of selectors) {
        if (s.route !== i && overlaps(s.prefix, p.prefix)) {
          c.error(`importRoutes[${i}]: prefix ${p.text} overlaps importRoutes[${s.route}] prefix ${s.text}`, [
            ...at,
            "prefixes",
            j,
          ]);
        }
      }
      selectors.push({ prefix: p.prefix, text: p.text, route: i });
    });
  });
}

/** The primary link of a bond: one of its links, in a mode with one active link at a time. */
function checkBondPrimary(c: Check, mode: string | undefined): void {
  const d = c.data;
  const usesPrimary = mode !== undefined && PRIMARY_BOND_MODES.includes(mode);
  if (has(d, ["primary"])) {
    const primary = str(d, ["primary"]);
    if (primary === "") c.error("primary link name can't be empty", ["primary"]);
    else if (!strs(d, ["links"]).includes(primary))
      c.error(`primary link ${goQuote(primary)} is not in the list of bonded links`, ["primary"]);
    if (mode !== undefined && !usesPrimary)
      c.error(`primary link is not supported in ${goQuote(mode)} bond mode`, ["primary"]);
  } else if (has(d, ["primaryReselect"]) && usesPrimary) {
    c.warn("primaryReselect has no effect unless primary is specified", ["primaryReselect"]);
  }
}

function dhcp(c: Check): void {
  nameSpecified(c);
  const duid = str(c.data, ["duidRaw"]) !== "";
  const byDUID = enumField(c.data, ["clientIdentifier"], CLIENT_IDENTIFIERS) === "duid";
  if (duid && !byDUID) c.error("duidRaw can only be set if clientIdentifier is 'duid'", ["duidRaw"]);
  if (byDUID && !duid) c.error("duidRaw must be set if clientIdentifier is 'duid'", ["duidRaw"]);
}

function vipName(c: Check): void {
  if (c.name === "") c.error("name must be specified", ["name"]);
  else {
    const e = netipAddrError(c.name);
    if (e !== undefined) c.error(`name must be a valid IP address: ${e}`, ["name"]);
  }
  if (str(c.data, ["link"]) === "") c.error("link must be specified", ["link"]);
}

const legacyNetwork = (legacy: Data) => obj(legacy, ["machine", "network"]);

/** Whether the resolver's hostDNS has any setting (its Go struct is not the zero value). */
const hostDNSSet = (d: Data) =>
  ["enabled", "forwardKubeDNSToHost", "resolveMemberNames"].some((f) => has(d, ["hostDNS", f]));

export const NETWORK_RULES: KindTable = {
  BGPInstanceConfig: { validate: checkBGP },
  BlackholeRouteConfig: {
    validate: (c) => {
      nameSpecified(c);
      const e = netipPrefixError(c.name);
      if (e !== undefined) c.error(`name must be a valid address prefix: ${e}`, ["name"]);
    },
  },
  BondConfig: {
    validate: (c) => {
      const d = c.data;
      nameSpecified(c);
      if (strs(d, ["links"]).length === 0) c.error("at least one link must be specified", ["links"]);
      const mode = has(d, ["bondMode"]) ? enumField(d, ["bondMode"], BOND_MODES) : undefined;
      if (mode === undefined) c.error("bond mode must be specified", ["bondMode"]);
      // The 802.3ad warnings came with Talos 1.13 and 1.12.3.
      else if (
        mode === "802.3ad" &&
        hasChange(c, [
          [1, 12, 3],
          [1, 13, 0],
        ])
      ) {
        for (const field of ["miimon", "updelay", "downdelay"] as const) {
          if (!has(d, [field])) c.warn(`${field} was not specified for 802.3ad bond`, [field]);
        }
      }
      // The primary link came with Talos 1.15.
      if (c.atLeast(1, 15)) checkBondPrimary(c, mode);
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
      const auto = set ? enumField(c.data, ["auto"], AUTO_HOSTNAME_KINDS) : "off";
      const hostname = str(c.data, ["hostname"]);
      // Until 1.14 (and 1.12.9, 1.13.3) an explicit `auto: off` without a hostname was refused too.
      const relaxed = hasChange(c, [
        [1, 12, 9],
        [1, 13, 3],
        [1, 14, 0],
      ]);
      if ((!set || (auto === "off" && !relaxed)) && hostname === "")
        c.error("either 'auto' or 'hostname' must be set");
      if (auto !== "off" && hostname !== "")
        c.error("'auto' and 'hostname' cannot be set at the same time", ["auto"]);
      if (auto !== "off" && auto !== "stable") c.error(`invalid value for 'auto': ${auto}`, ["auto"]);
      if (hostname !== "") {
        // Lengths in bytes, as Go counts them.
        const length = Buffer.byteLength(hostname);
        if (length > 253) c.error(`fqdn is too long: ${length}`, ["hostname"]);
        const first = hostname.split(".")[0]!;
        const firstLength = Buffer.byteLength(first);
        if (firstLength === 0 || firstLength > 63)
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
        // siderolabs/net ParseSubnetOrAddress: a netip prefix, else a netip address.
        if (netipPrefixError(s) !== undefined && netipAddrError(s) !== undefined)
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
      // Entries that are no port range stop the document from loading in Talos.
      const ranges: PortRange[] = [];
      for (const [i, p] of ports.entries()) {
        const r = parsePortRange(p);
        if (typeof r === "string") {
          c.error(r, ["portSelector", "ports", i]);
          return;
        }
        ranges.push(r);
      }
      const e = portRangesError(ranges);
      if (e !== undefined) {
        c.error(e, ["portSelector", "ports"]);
        return;
      }
      for (const [i, rule] of list(c.data, ["ingress"]).entries()) {
        const subnet = str(rule, ["subnet"]);
        if (subnet === "" || netipPrefixError(subnet) !== undefined) {
          c.error(`invalid subnet: ${subnet === "" ? "invalid Prefix" : subnet}`, ["ingress", i, "subnet"]);
          return;
        }
        const except = str(rule, ["except"]);
        if (except !== "" && netipPrefixError(except) !== undefined) {
          c.error(`invalid except: ${except}`, ["ingress", i, "except"]);
          return;
        }
      }
    },
  },
  ResolverConfig: {
    validate: (c) => {
      // The document's own rules came with Talos 1.14 (host DNS and encrypted protocols).
      if (!c.atLeast(1, 14)) return;
      const d = c.data;
      if (hostDNSSet(d) && get(d, ["hostDNS", "enabled"]) !== true) {
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
        const protocol = has(ns, ["protocol"]) ? enumName(get(ns, ["protocol"]), DNS_PROTOCOLS) : "Do53";
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
        if (netipAddrError(str(ns, ["address"])) !== undefined)
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
      // Only the nameservers that parse as addresses count.
      if (strs(net, ["nameservers"]).some((ns) => netipAddrError(ns) === undefined))
        return ".machine.network.nameservers is already set in v1alpha1 config";
      if (get(net, ["disableSearchDomain"]) === true)
        return ".machine.network.disableSearchDomain is already set in v1alpha1 config";
      if (c.atLeast(1, 14) && hostDNSSet(c.data) && has(legacy, ["machine", "features", "hostDNS"]))
        return ".machine.features.hostDNS is already set in v1alpha1 config";
      return undefined;
    },
  },
  RoutingRuleConfig: {
    validate: (c) => {
      const d = c.data;
      nameSpecified(c);
      // strconv.ParseUint: 0 on a syntax error, the largest value when out of range.
      let priority = 0;
      if (!/^\d+$/.test(c.name)) {
        c.error(
          `invalid name: must be priority parsable unsigned integer: strconv.ParseUint: parsing ${goQuote(c.name)}: invalid syntax`,
          ["name"],
        );
      } else if (BigInt(c.name) > 0xffffffffn) {
        priority = 0xffffffff;
        c.error(
          `invalid name: must be priority parsable unsigned integer: strconv.ParseUint: parsing ${goQuote(c.name)}: value out of range`,
          ["name"],
        );
      } else priority = Number(c.name);
      if (RESERVED_RULE_PRIORITIES.includes(priority)) {
        c.error(
          `priority must be between 1 and 32765 (excluding reserved priorities [0 32500 32766 32767])`,
          ["name"],
        );
      }
      const action = has(d, ["action"]) ? enumField(d, ["action"], RULE_ACTIONS) : "unspec";
      if (tableName(d, ["table"]) === "unspec" && (action === "unspec" || action === "unicast")) {
        c.error("either table or a non-unicast action must be specified", ["table"]);
      }
      if ((num(d, ["fwMask"]) ?? 0) !== 0 && (num(d, ["fwMark"]) ?? 0) === 0)
        c.error("fwMask requires fwMark to be set", ["fwMask"]);
    },
  },
  StaticHostConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name is required", ["name"]);
      if (netipAddrError(c.name) !== undefined) c.error("name must be a valid IP address", ["name"]);
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
    if (has(c.data, ["vlanMode"]) && enumName(get(c.data, ["vlanMode"]), VLAN_PROTOCOLS) === undefined)
      c.error("vlanMode must be either '802.1q' or '802.1ad'", ["vlanMode"]);
  }),
  VRFConfig: linkKind((c) => {
    const table = tableName(c.data, ["table"]);
    if (["unspec", "local", "main", "default"].includes(table))
      c.error(`cannot create vrf with reserved table ${table}`, ["table"]);
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

interface PortRange {
  readonly lo: number;
  readonly hi: number;
}

/**
 * A port selector entry as PortRange reads it: a port number, else a `lo-hi` string of two
 * unsigned 16-bit numbers; an error text when it is neither.
 */
function parsePortRange(value: unknown): PortRange | string {
  if (typeof value === "number" && value >= 0 && value <= 0xffff) {
    const port = Math.trunc(value);
    return { lo: port, hi: port };
  }
  const text = String(value);
  const invalid = `invalid port range: ${goQuote(text)}`;
  if (typeof value !== "string") return invalid;
  const cut = text.indexOf("-");
  if (cut < 0) return invalid;
  const [lo, hi] = [text.slice(0, cut), text.slice(cut + 1)].map((p) =>
    /^\d+$/.test(p) && Number(p) <= 0xffff ? Number(p) : undefined,
  );
  return lo === undefined || hi === undefined ? invalid : { lo, hi };
}

/** PortRanges.Validate: sorted by their low end, no inverted and no overlapping ranges. */
function portRangesError(ranges: readonly PortRange[]): string | undefined {
  const sorted = [...ranges].sort((a, b) => a.lo - b.lo);
  const fmt = (r: PortRange) => `${r.lo}-${r.hi}`;
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    if (r.lo > r.hi) return `invalid port range: ${fmt(r)}`;
    const prev = sorted[i - 1];
    if (prev !== undefined && r.lo <= prev.hi)
      return `invalid port range: ${fmt(r)}, overlaps with ${fmt(prev)}`;
  }
  return undefined;
}
