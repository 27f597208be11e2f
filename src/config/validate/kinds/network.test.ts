// Network documents: every rule of each kind's Validate and conflict check, valid and invalid.
import { describe } from "vitest";
import { doc, table, WORKER } from "../testkit.js";

const KEY = Buffer.alloc(32, 1).toString("base64");
const base = WORKER;

describe("HostnameConfig", () => {
  table([
    {
      name: "auto: off with a static hostname is valid",
      docs: [doc("HostnameConfig", { auto: "off", hostname: "node-1" })],
      base,
    },
    { name: "stable is valid", docs: [doc("HostnameConfig", { auto: "stable" })], base },
    { name: "a static hostname alone is valid", docs: [doc("HostnameConfig", { hostname: "node-1" })], base },
    {
      name: "neither auto nor hostname",
      docs: [doc("HostnameConfig", {})],
      base,
      errors: ["HostnameConfig: either 'auto' or 'hostname' must be set"],
    },
    {
      name: "stable with a hostname",
      docs: [doc("HostnameConfig", { auto: "stable", hostname: "x" })],
      base,
      errors: ["HostnameConfig auto: 'auto' and 'hostname' cannot be set at the same time"],
    },
    {
      name: "hostname label too long",
      docs: [doc("HostnameConfig", { auto: "off", hostname: `${"a".repeat(64)}.example` })],
      base,
      errors: [`HostnameConfig hostname: invalid hostname "${"a".repeat(64)}"`],
    },
    {
      name: "conflicts with .machine.network.hostname and stableHostname",
      docs: [doc("HostnameConfig", { auto: "stable" })],
      base: { ...WORKER, machine: { ...WORKER.machine, features: { stableHostname: true } } },
      errors: ["HostnameConfig: stable hostname is already set in v1alpha1 config"],
    },
  ]);
});

describe("ResolverConfig", () => {
  const resolver = (body: object) => doc("ResolverConfig", body);
  table([
    { name: "plain nameservers", docs: [resolver({ nameservers: [{ address: "1.1.1.1" }] })], base },
    {
      name: "host DNS options need host DNS",
      docs: [resolver({ hostDNS: { enabled: false, forwardKubeDNSToHost: true, resolveMemberNames: true } })],
      base,
      errors: [
        "ResolverConfig hostDNS.forwardKubeDNSToHost: hostDNS.forwardKubeDNSToHost cannot be enabled when hostDNS.enabled is false",
        "ResolverConfig hostDNS.resolveMemberNames: hostDNS.resolveMemberNames cannot be enabled when hostDNS.enabled is false",
      ],
    },
    {
      name: "TLS server names by protocol, and DoT-only resolvers warn",
      docs: [
        resolver({
          nameservers: [{ address: "1.1.1.1", protocol: "DoT" }],
          hostDNS: { enabled: true, forwardKubeDNSToHost: true },
        }),
      ],
      base,
      errors: [
        "ResolverConfig nameservers[0].tlsServerName: tlsServerName must be set when protocol is DoT: entry 0",
      ],
      warnings: [
        "ResolverConfig nameservers: all configured nameservers use encrypted DNS (DoT or DoH): validating certificates requires a correct system clock, so boot may stall when NTP servers are configured by hostname; consider keeping at least one plain-DNS fallback or configuring NTP servers by IP address",
      ],
    },
    {
      name: "Do53 with a TLS server name; encrypted DNS needs host DNS",
      docs: [
        resolver({
          nameservers: [
            { address: "1.1.1.1", tlsServerName: "x" },
            { address: "8.8.8.8", protocol: "DoH", tlsServerName: "d" },
          ],
        }),
      ],
      base,
      errors: [
        "ResolverConfig nameservers[0].tlsServerName: tlsServerName must be empty when protocol is Do53: entry 0",
        "ResolverConfig nameservers: hostDNS must be enabled when using non-default DNS protocols",
      ],
    },
    {
      name: "conflicts with .machine.network.nameservers",
      docs: [resolver({ nameservers: [{ address: "1.1.1.1" }] })],
      base: { ...WORKER, machine: { ...WORKER.machine, network: { nameservers: ["8.8.8.8"] } } },
      errors: ["ResolverConfig: .machine.network.nameservers is already set in v1alpha1 config"],
    },
  ]);
});

describe("TimeSyncConfig", () => {
  table([
    {
      name: "NTP with hostnames and NTS",
      docs: [doc("TimeSyncConfig", { ntp: { servers: ["time.example"], useNTS: true } })],
      base,
    },
    {
      name: "negative boot timeout, ntp and ptp, NTS with an IP",
      docs: [
        doc("TimeSyncConfig", {
          bootTimeout: "-1s",
          ntp: { servers: ["1.2.3.4"], useNTS: true },
          ptp: { devices: ["/dev/ptp0"] },
        }),
      ],
      base,
      errors: [
        "TimeSyncConfig bootTimeout: bootTimeout cannot be negative",
        "TimeSyncConfig ptp: only one of ntp or ptp configuration can be specified",
        'TimeSyncConfig ntp.servers[0]: NTS requires hostnames, not IP addresses: "1.2.3.4"',
      ],
    },
    {
      name: "conflicts with .machine.time.servers",
      docs: [doc("TimeSyncConfig", {})],
      base: { ...WORKER, machine: { ...WORKER.machine, time: { servers: ["pool.ntp.org"] } } },
      errors: [
        "TimeSyncConfig: time servers cannot be specified in both v1alpha1 and new-style configuration",
      ],
    },
  ]);
});

describe("link documents", () => {
  table([
    { name: "a bridge without links", docs: [doc("BridgeConfig", { name: "br0" })], base },
    {
      name: "a link with an address and a default route",
      docs: [
        doc("LinkConfig", {
          name: "eth0",
          addresses: [{ address: "10.0.0.2/24" }],
          routes: [{ gateway: "10.0.0.1" }],
        }),
      ],
      base,
    },
    {
      name: "unspecified addresses and routes",
      docs: [
        doc("LinkConfig", {
          name: "eth0",
          addresses: [{ address: "0.0.0.0/0" }],
          routes: [{ destination: "0.0.0.0/0", gateway: "0.0.0.0" }],
        }),
      ],
      base,
      errors: [
        "LinkConfig/eth0 addresses[0].address: address 0 must be a valid IP address",
        "LinkConfig/eth0 routes[0].destination: route 0 destination must be a valid IP prefix",
        "LinkConfig/eth0 routes[0].gateway: route 0 gateway must be a valid IP address",
      ],
    },
    {
      name: "bond: links and mode required",
      docs: [doc("BondConfig", { name: "bond0" })],
      base,
      errors: [
        "BondConfig/bond0 links: at least one link must be specified",
        "BondConfig/bond0 bondMode: bond mode must be specified",
      ],
    },
    {
      name: "802.3ad without miimon, updelay and downdelay warns",
      docs: [doc("BondConfig", { name: "bond0", links: ["eth0"], bondMode: "802.3ad" })],
      base,
      warnings: [
        "BondConfig/bond0 miimon: miimon was not specified for 802.3ad bond",
        "BondConfig/bond0 updelay: updelay was not specified for 802.3ad bond",
        "BondConfig/bond0 downdelay: downdelay was not specified for 802.3ad bond",
      ],
    },
    {
      name: "bond primary",
      docs: [doc("BondConfig", { name: "bond0", links: ["eth0"], bondMode: "balance-rr", primary: "eth1" })],
      base,
      errors: [
        'BondConfig/bond0 primary: primary link "eth1" is not in the list of bonded links',
        'BondConfig/bond0 primary: primary link is not supported in "balance-rr" bond mode',
      ],
    },
    {
      name: "VLAN id, parent",
      docs: [doc("VLANConfig", { name: "v", vlanID: 4095 })],
      base,
      errors: [
        "VLANConfig/v vlanID: vlanID must be specified and between 1 and 4094",
        "VLANConfig/v parent: parent must be specified",
      ],
    },
    {
      name: "VRF reserved table",
      docs: [doc("VRFConfig", { name: "vrf0", table: "main" })],
      base,
      errors: ["VRFConfig/vrf0 table: cannot create vrf with reserved table main"],
    },
    {
      name: "veth names",
      docs: [doc("VethConfig", { name: "a/b", peer: { name: "x".repeat(16) } })],
      base,
      errors: [
        "VethConfig/a/b name: name must not contain '/' or ':'",
        "VethConfig/a/b peer.name: peer name must not exceed 15 bytes",
      ],
    },
    {
      name: "a veth peer another link document configures",
      docs: [
        doc("VethConfig", { name: "veth0", peer: { name: "eth9" } }),
        doc("DummyLinkConfig", { name: "eth9" }),
      ],
      base,
      errors: [
        'DummyLinkConfig/eth9: conflicting link configurations: VethConfig/veth0 and DummyLinkConfig/eth9 both configure "eth9"',
      ],
    },
    {
      name: "unnamed link documents",
      docs: [doc("DummyLinkConfig", {})],
      base,
      errors: ["DummyLinkConfig name: name must be specified"],
    },
  ]);
});

describe("WireguardConfig", () => {
  table([
    {
      name: "valid keys",
      docs: [doc("WireguardConfig", { name: "wg0", privateKey: KEY, peers: [{ publicKey: KEY }] })],
      base,
    },
    {
      name: "keys must be base64 of 32 bytes",
      docs: [
        doc("WireguardConfig", {
          name: "wg0",
          privateKey: "abc",
          peers: [{ publicKey: Buffer.alloc(16).toString("base64") }],
        }),
      ],
      base,
      errors: [
        "WireguardConfig/wg0 privateKey: wireguard private key is invalid: illegal base64 data at input byte 0",
        "WireguardConfig/wg0 peers[0].publicKey: wireguard peer public key is invalid (peer index 0): invalid wireguard key length",
      ],
    },
  ]);
});

describe("VIPs, static hosts, blackhole routes, routing rules, DHCP, probes, rules, aliases, BGP, KubeSpan", () => {
  table([
    {
      name: "VIP names are addresses, links required",
      docs: [
        doc("Layer2VIPConfig", { name: "1.2.3" }),
        doc("HCloudVIPConfig", { name: "1.2.3.4", link: "eth0" }),
      ],
      base,
      errors: [
        'Layer2VIPConfig/1.2.3 name: name must be a valid IP address: ParseAddr("1.2.3"): IPv4 address too short',
        "Layer2VIPConfig/1.2.3 link: link must be specified",
        "HCloudVIPConfig/1.2.3.4 apiToken: apiToken must be specified",
      ],
    },
    {
      name: "static hosts and blackhole routes",
      docs: [
        doc("StaticHostConfig", { name: "host", hostnames: [] }),
        doc("BlackholeRouteConfig", { name: "10.0.0.0" }),
      ],
      base,
      errors: [
        "StaticHostConfig/host name: name must be a valid IP address",
        "StaticHostConfig/host hostnames: at least one hostname is required",
        "BlackholeRouteConfig/10.0.0.0 name: name must be a valid address prefix: netip.ParsePrefix(\"10.0.0.0\"): no '/'",
      ],
    },
    {
      name: "routing rule with a blackhole action",
      docs: [doc("RoutingRuleConfig", { name: "1000", action: "blackhole" })],
      base,
    },
    {
      name: "routing rule priorities and targets",
      docs: [doc("RoutingRuleConfig", { name: "32766", fwMask: 255 })],
      base,
      errors: [
        "RoutingRuleConfig/32766 name: priority must be between 1 and 32765 (excluding reserved priorities [0 32500 32766 32767])",
        "RoutingRuleConfig/32766 table: either table or a non-unicast action must be specified",
        "RoutingRuleConfig/32766 fwMask: fwMask requires fwMark to be set",
      ],
    },
    {
      name: "DHCP client identifier and DUID",
      docs: [
        doc("DHCPv4Config", { name: "eth0", clientIdentifier: "duid" }),
        doc("DHCPv6Config", { name: "eth0", duidRaw: "00:01" }),
      ],
      base,
      errors: [
        "DHCPv4Config/eth0 duidRaw: duidRaw must be set if clientIdentifier is 'duid'",
        "DHCPv6Config/eth0 duidRaw: duidRaw can only be set if clientIdentifier is 'duid'",
      ],
    },
    {
      name: "probes",
      docs: [
        doc("HTTPProbeConfig", { name: "h", url: "ftp://x" }),
        doc("TCPProbeConfig", { name: "t", interval: "-1s" }),
      ],
      base,
      errors: [
        'HTTPProbeConfig/h url: HTTP probe URL scheme must be http or https, got "ftp"',
        "TCPProbeConfig/t endpoint: TCP probe endpoint is required",
        "TCPProbeConfig/t interval: probe interval cannot be negative: -1s",
      ],
    },
    {
      name: "network rule ports overlap",
      docs: [
        doc("NetworkRuleConfig", {
          name: "r",
          portSelector: { ports: [80, "70-90"], protocol: "tcp" },
          ingress: [{ subnet: "10.0.0.0/8" }],
        }),
      ],
      base,
      errors: ["NetworkRuleConfig/r portSelector.ports: invalid port range: 80-80, overlaps with 70-90"],
    },
    {
      name: "link alias verbs and selector",
      docs: [doc("LinkAliasConfig", { name: "net%s" })],
      base,
      errors: [
        'LinkAliasConfig/net%s name: name "net%s" contains an invalid format verb, use %d suffix',
        "LinkAliasConfig/net%s selector.match: link selector is required",
      ],
    },
    {
      name: "BGP without neighbors warns; ASN required",
      docs: [doc("BGPInstanceConfig", { name: "b", routerID: "fd00::1" })],
      base,
      errors: [
        "BGPInstanceConfig/b localASN: localASN must be specified",
        "BGPInstanceConfig/b routerID: routerID must be an IPv4 address",
      ],
      warnings: ["BGPInstanceConfig/b neighbors: BGPInstanceConfig has no neighbors configured"],
    },
    {
      name: "BGP neighbors and imported routes",
      docs: [
        doc("BGPInstanceConfig", {
          name: "b",
          localASN: 65000,
          neighbors: [
            { address: "10.0.0.1", peerASN: 1 },
            { address: "10.0.0.1", peerASN: 1 },
          ],
          importRoutes: [{ bgpInstance: "b", prefixes: ["10.0.0.1/8"] }],
        }),
      ],
      base,
      errors: [
        'BGPInstanceConfig/b neighbors[1]: neighbor[1]: duplicate neighbor "10.0.0.1"',
        'BGPInstanceConfig/b importRoutes[0].bgpInstance: importRoutes[0]: cannot import from the same BGP instance "b"',
        "BGPInstanceConfig/b importRoutes[0].prefixes[0]: importRoutes[0].prefixes[0]: prefix 10.0.0.1/8 must be masked",
      ],
    },
    {
      name: "KubeSpan MTU, filters, discovery",
      docs: [doc("KubeSpanConfig", { enabled: true, mtu: 1000, filters: { endpoints: ["nope"] } })],
      base,
      errors: [
        "KubeSpanConfig mtu: kubespan link MTU must be at least 1280",
        'KubeSpanConfig filters.endpoints[0]: KubeSpan endpoint filter is not valid: "nope"',
        "KubeSpanConfig: KubeSpan requires cluster discovery to be enabled",
      ],
    },
    {
      name: "KubeSpan conflicts with .machine.network.kubespan",
      docs: [doc("KubeSpanConfig", {})],
      base: { ...WORKER, machine: { ...WORKER.machine, network: { kubespan: {} } } },
      errors: ["KubeSpanConfig: kubespan is already configured in v1alpha1 machine.network.kubespan"],
    },
    {
      name: "ethernet needs a name",
      docs: [doc("EthernetConfig", {})],
      base,
      errors: ["EthernetConfig name: name is required"],
    },
  ]);
});
