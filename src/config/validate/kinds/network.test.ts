// Network documents: every rule of each kind's Validate and conflict check, valid and invalid.
import { describe } from "vitest";
import { doc, merge, table, WORKER } from "../testkit.js";

const KEY = Buffer.alloc(32, 1).toString("base64");
const base = WORKER;
/** The worker with extra v1alpha1 machine settings. */
const legacy = (machine: object) => merge(WORKER, { machine });
/** A worker as Talos 1.13 and older accept it (endpoint and install were required then). */
const OLD = merge(WORKER, {
  cluster: { controlPlane: { endpoint: "https://10.0.0.1:6443" } },
  machine: { install: { disk: "/dev/sda" } },
});
const DOT_ONLY =
  "all configured nameservers use encrypted DNS (DoT or DoH): validating certificates requires a correct system clock, so boot may stall when NTP servers are configured by hostname; consider keeping at least one plain-DNS fallback or configuring NTP servers by IP address";

describe("HostnameConfig", () => {
  table([
    {
      name: "auto: off with a static hostname is valid",
      docs: [doc("HostnameConfig", { auto: "off", hostname: "node-1" })],
      base,
    },
    { name: "stable is valid", docs: [doc("HostnameConfig", { auto: "stable" })], base },
    { name: "auto is read in any case", docs: [doc("HostnameConfig", { auto: "Stable" })], base },
    { name: "a static hostname alone is valid", docs: [doc("HostnameConfig", { hostname: "node-1" })], base },
    {
      name: "neither auto nor hostname",
      docs: [doc("HostnameConfig", {})],
      base,
      errors: ["HostnameConfig: either 'auto' or 'hostname' must be set"],
    },
    { name: "auto: off alone passes", docs: [doc("HostnameConfig", { auto: "off" })], base },
    {
      name: "stable with a hostname",
      docs: [doc("HostnameConfig", { auto: "stable", hostname: "x" })],
      base,
      errors: ["HostnameConfig auto: 'auto' and 'hostname' cannot be set at the same time"],
    },
    {
      name: "talos-addr is not a value for auto",
      docs: [doc("HostnameConfig", { auto: "talos-addr" })],
      base,
      errors: ["HostnameConfig auto: invalid value for 'auto': talos-addr"],
    },
    {
      name: "hostname label too long",
      docs: [doc("HostnameConfig", { auto: "off", hostname: `${"a".repeat(64)}.example` })],
      base,
      errors: [`HostnameConfig hostname: invalid hostname "${"a".repeat(64)}"`],
    },
    {
      name: "a 63-byte first label is valid",
      docs: [doc("HostnameConfig", { hostname: `${"a".repeat(63)}.example` })],
      base,
    },
    {
      name: "label length counts bytes",
      docs: [doc("HostnameConfig", { hostname: "é".repeat(32) })],
      base,
      errors: [`HostnameConfig hostname: invalid hostname "${"é".repeat(32)}"`],
    },
    {
      name: "an empty first label",
      docs: [doc("HostnameConfig", { hostname: ".example" })],
      base,
      errors: ['HostnameConfig hostname: invalid hostname ""'],
    },
    {
      name: "fqdn too long",
      docs: [doc("HostnameConfig", { hostname: `${"a".repeat(60)}.`.repeat(5).slice(0, -1) })],
      base,
      errors: ["HostnameConfig hostname: fqdn is too long: 304"],
    },
    {
      name: "conflicts with .machine.network.hostname",
      docs: [doc("HostnameConfig", { hostname: "node-1" })],
      base: legacy({ network: { hostname: "legacy" } }),
      errors: ["HostnameConfig: static hostname is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with stableHostname",
      docs: [doc("HostnameConfig", { auto: "stable" })],
      base: legacy({ features: { stableHostname: true } }),
      errors: ["HostnameConfig: stable hostname is already set in v1alpha1 config"],
    },
    {
      name: "stableHostname: false is no conflict",
      docs: [doc("HostnameConfig", { auto: "stable" })],
      base: legacy({ features: { stableHostname: false } }),
    },
    {
      name: "1.13.0 refuses auto: off without a hostname",
      docs: [doc("HostnameConfig", { auto: "off" })],
      base: OLD,
      talosVersion: "v1.13.0",
      errors: ["HostnameConfig: either 'auto' or 'hostname' must be set"],
    },
    {
      name: "1.13.3 took the relaxed rule",
      docs: [doc("HostnameConfig", { auto: "off" })],
      base: OLD,
      talosVersion: "v1.13.3",
    },
    {
      name: "1.12.9 took the relaxed rule too",
      docs: [doc("HostnameConfig", { auto: "off" })],
      base: OLD,
      talosVersion: "v1.12.9",
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
      name: "host DNS options with host DNS enabled",
      docs: [resolver({ hostDNS: { enabled: true, forwardKubeDNSToHost: true, resolveMemberNames: true } })],
      base,
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
      warnings: [`ResolverConfig nameservers: ${DOT_ONLY}`],
    },
    {
      name: "DoH without a TLS server name; the protocol is read in any case",
      docs: [
        resolver({ nameservers: [{ address: "1.1.1.1", protocol: "doh" }], hostDNS: { enabled: true } }),
      ],
      base,
      errors: [
        "ResolverConfig nameservers[0].tlsServerName: tlsServerName must be set when protocol is DoH: entry 0",
      ],
      warnings: [`ResolverConfig nameservers: ${DOT_ONLY}`],
    },
    {
      name: "encrypted DNS with a plain fallback does not warn",
      docs: [
        resolver({
          nameservers: [
            { address: "1.1.1.1", protocol: "DoT", tlsServerName: "one.one.one.one" },
            { address: "8.8.8.8", protocol: "Do53" },
          ],
          hostDNS: { enabled: true },
        }),
      ],
      base,
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
      name: "unknown protocol and missing address",
      docs: [resolver({ nameservers: [{ address: "1.1.1.1", protocol: "DoQ" }, { tlsServerName: "x" }] })],
      base,
      errors: [
        "ResolverConfig nameservers[0].protocol: unsupported DNS protocol: entry 0",
        "ResolverConfig nameservers[1].tlsServerName: tlsServerName must be empty when protocol is Do53: entry 1",
        "ResolverConfig nameservers[1].address: nameserver address must be a valid IP: entry 1",
        "ResolverConfig nameservers: hostDNS must be enabled when using non-default DNS protocols",
      ],
    },
    {
      name: "before 1.14 the document had no rules of its own",
      docs: [resolver({ nameservers: [{}] })],
      base: OLD,
      talosVersion: "v1.13.0",
    },
    {
      name: "conflicts with .machine.network.nameservers",
      docs: [resolver({ nameservers: [{ address: "1.1.1.1" }] })],
      base: legacy({ network: { nameservers: ["8.8.8.8"] } }),
      errors: ["ResolverConfig: .machine.network.nameservers is already set in v1alpha1 config"],
    },
    {
      name: "v1alpha1 nameservers that are no addresses do not count",
      docs: [resolver({ nameservers: [{ address: "1.1.1.1" }] })],
      base: legacy({ network: { nameservers: ["dns.example"] } }),
    },
    {
      name: "conflicts with .machine.network.searchDomains",
      docs: [resolver({ nameservers: [{ address: "1.1.1.1" }] })],
      base: legacy({ network: { searchDomains: ["example.com"], nameservers: ["8.8.8.8"] } }),
      errors: ["ResolverConfig: .machine.network.searchDomains is already set in v1alpha1 config"],
    },
    {
      name: "conflicts with .machine.network.disableSearchDomain",
      docs: [resolver({ nameservers: [{ address: "1.1.1.1" }] })],
      base: legacy({ network: { disableSearchDomain: true } }),
      errors: ["ResolverConfig: .machine.network.disableSearchDomain is already set in v1alpha1 config"],
    },
    {
      name: "host DNS in both places",
      docs: [resolver({ hostDNS: { enabled: true, forwardKubeDNSToHost: true } })],
      base: legacy({ features: { hostDNS: { enabled: true } } }),
      errors: ["ResolverConfig: .machine.features.hostDNS is already set in v1alpha1 config"],
    },
    {
      name: "an empty hostDNS is no conflict",
      docs: [resolver({ nameservers: [{ address: "1.1.1.1" }], hostDNS: {} })],
      base: legacy({ features: { hostDNS: { enabled: true } } }),
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
      name: "IP servers without NTS",
      docs: [doc("TimeSyncConfig", { ntp: { servers: ["1.2.3.4"] }, bootTimeout: "2m" })],
      base,
    },
    {
      name: "negative boot timeout, ntp and ptp, NTS with an IP",
      docs: [
        doc("TimeSyncConfig", {
          bootTimeout: "-1s",
          ntp: { servers: ["1.2.3.4", "time.example", "fd00::1"], useNTS: true },
          ptp: { devices: ["/dev/ptp0"] },
        }),
      ],
      base,
      errors: [
        "TimeSyncConfig bootTimeout: bootTimeout cannot be negative",
        "TimeSyncConfig ptp: only one of ntp or ptp configuration can be specified",
        'TimeSyncConfig ntp.servers[0]: NTS requires hostnames, not IP addresses: "1.2.3.4"',
        'TimeSyncConfig ntp.servers[2]: NTS requires hostnames, not IP addresses: "fd00::1"',
      ],
    },
    {
      name: "conflicts with .machine.time.servers",
      docs: [doc("TimeSyncConfig", {})],
      base: legacy({ time: { servers: ["pool.ntp.org"] } }),
      errors: [
        "TimeSyncConfig: time servers cannot be specified in both v1alpha1 and new-style configuration",
      ],
    },
    {
      name: "conflicts with .machine.time.disabled",
      docs: [doc("TimeSyncConfig", {})],
      base: legacy({ time: { disabled: true, servers: ["pool.ntp.org"] } }),
      errors: ["TimeSyncConfig: time sync cannot be disabled in both v1alpha1 and new-style configuration"],
    },
    {
      name: "conflicts with .machine.time.bootTimeout",
      docs: [doc("TimeSyncConfig", {})],
      base: legacy({ time: { bootTimeout: "1m" } }),
      errors: [
        "TimeSyncConfig: boot timeout cannot be specified in both v1alpha1 and new-style configuration",
      ],
    },
    {
      name: "an empty .machine.time is no conflict",
      docs: [doc("TimeSyncConfig", {})],
      base: legacy({ time: { disabled: false } }),
    },
  ]);
});

describe("link documents", () => {
  table([
    { name: "a bridge without links", docs: [doc("BridgeConfig", { name: "br0" })], base },
    {
      name: "a link with an address and routes",
      docs: [
        doc("LinkConfig", {
          name: "eth0",
          addresses: [{ address: "10.0.0.2/24" }, { address: "fd00::2/64" }],
          routes: [{ gateway: "10.0.0.1" }, { destination: "10.1.0.0/16", source: "10.0.0.2" }],
        }),
      ],
      base,
    },
    {
      name: "unspecified addresses and routes",
      docs: [
        doc("LinkConfig", {
          name: "eth0",
          addresses: [{ address: "0.0.0.0/0" }, { address: "" }, { address: "::/64" }],
          routes: [
            { destination: "0.0.0.0/0", gateway: "0.0.0.0" },
            { destination: "::/0", gateway: "::", source: "0.0.0.0" },
          ],
        }),
      ],
      base,
      errors: [
        "LinkConfig/eth0 addresses[0].address: address 0 must be a valid IP address",
        "LinkConfig/eth0 addresses[1].address: address 1 must be specified",
        "LinkConfig/eth0 addresses[2].address: address 2 must be a valid IP address",
        "LinkConfig/eth0 routes[0].destination: route 0 destination must be a valid IP prefix",
        "LinkConfig/eth0 routes[0].gateway: route 0 gateway must be a valid IP address",
        "LinkConfig/eth0 routes[1].destination: route 1 destination must be a valid IP prefix",
        "LinkConfig/eth0 routes[1].gateway: route 1 gateway must be a valid IP address",
        "LinkConfig/eth0 routes[1].source: route 1 source must be a valid IP address",
      ],
    },
    {
      name: "unspecified in any spelling; 4-in-6 zero is not unspecified",
      docs: [
        doc("LinkConfig", {
          name: "eth0",
          routes: [{ gateway: "0:0::0" }, { gateway: "::0.0.0.0" }, { gateway: "::ffff:0.0.0.0" }],
        }),
      ],
      base,
      errors: [
        "LinkConfig/eth0 routes[0].gateway: route 0 gateway must be a valid IP address",
        "LinkConfig/eth0 routes[1].gateway: route 1 gateway must be a valid IP address",
      ],
    },
    {
      name: "bridges and dummies check addresses too",
      docs: [
        doc("BridgeConfig", { name: "br0", addresses: [{ address: "0.0.0.0/8" }] }),
        doc("DummyLinkConfig", { name: "d0", routes: [{ gateway: "::" }] }),
      ],
      base,
      errors: [
        "BridgeConfig/br0 addresses[0].address: address 0 must be a valid IP address",
        "DummyLinkConfig/d0 routes[0].gateway: route 0 gateway must be a valid IP address",
      ],
    },
    {
      name: "unnamed link documents",
      docs: [doc("DummyLinkConfig", {})],
      base,
      errors: ["DummyLinkConfig name: name must be specified"],
    },
    {
      name: "an unnamed bridge",
      docs: [doc("BridgeConfig", {})],
      base,
      errors: ["BridgeConfig name: name must be specified"],
    },
  ]);
});

describe("BondConfig", () => {
  const bond = (body: object) => doc("BondConfig", { name: "bond0", links: ["eth0", "eth1"], ...body });
  table([
    {
      name: "an active-backup bond with a primary",
      docs: [bond({ bondMode: "active-backup", primary: "eth1", primaryReselect: "better" })],
      base,
    },
    {
      name: "the mode is read in any case",
      docs: [bond({ bondMode: "Balance-ALB", primary: "eth0" })],
      base,
    },
    {
      name: "links and mode required",
      docs: [doc("BondConfig", { name: "bond0" })],
      base,
      errors: [
        "BondConfig/bond0 links: at least one link must be specified",
        "BondConfig/bond0 bondMode: bond mode must be specified",
      ],
    },
    {
      name: "an unnamed bond",
      docs: [doc("BondConfig", { links: ["eth0"], bondMode: "broadcast" })],
      base,
      errors: ["BondConfig name: name must be specified"],
    },
    {
      name: "802.3ad without miimon, updelay and downdelay warns",
      docs: [bond({ bondMode: "802.3ad" })],
      base,
      warnings: [
        "BondConfig/bond0 miimon: miimon was not specified for 802.3ad bond",
        "BondConfig/bond0 updelay: updelay was not specified for 802.3ad bond",
        "BondConfig/bond0 downdelay: downdelay was not specified for 802.3ad bond",
      ],
    },
    {
      name: "802.3ad with its timers",
      docs: [bond({ bondMode: "802.3ad", miimon: 100, updelay: 200, downdelay: 0 })],
      base,
    },
    {
      name: "1.12.2 had no 802.3ad warnings",
      docs: [bond({ bondMode: "802.3ad" })],
      base: OLD,
      talosVersion: "v1.12.2",
    },
    {
      name: "1.12.3 brought the 802.3ad warnings",
      docs: [bond({ bondMode: "802.3ad", miimon: 100, updelay: 200 })],
      base: OLD,
      talosVersion: "v1.12.3",
      warnings: ["BondConfig/bond0 downdelay: downdelay was not specified for 802.3ad bond"],
    },
    {
      name: "primary not bonded, and in a mode without one",
      docs: [bond({ bondMode: "balance-rr", primary: "eth2" })],
      base,
      errors: [
        'BondConfig/bond0 primary: primary link "eth2" is not in the list of bonded links',
        'BondConfig/bond0 primary: primary link is not supported in "balance-rr" bond mode',
      ],
    },
    {
      name: "an empty primary; the mode is quoted by its name",
      docs: [bond({ bondMode: "BROADCAST", primary: "" })],
      base,
      errors: [
        "BondConfig/bond0 primary: primary link name can't be empty",
        'BondConfig/bond0 primary: primary link is not supported in "broadcast" bond mode',
      ],
    },
    {
      name: "primaryReselect without primary warns",
      docs: [bond({ bondMode: "balance-tlb", primaryReselect: "failure" })],
      base,
      warnings: [
        "BondConfig/bond0 primaryReselect: primaryReselect has no effect unless primary is specified",
      ],
    },
    {
      name: "primaryReselect in a mode without a primary is not warned about",
      docs: [bond({ bondMode: "balance-xor", primaryReselect: "always" })],
      base,
    },
    {
      name: "before 1.15 the primary is not checked",
      docs: [bond({ bondMode: "balance-rr", primary: "eth2" })],
      base,
      talosVersion: "v1.14.0",
    },
    {
      name: "bond addresses are checked",
      docs: [bond({ bondMode: "active-backup", addresses: [{ address: "::/128" }] })],
      base,
      errors: ["BondConfig/bond0 addresses[0].address: address 0 must be a valid IP address"],
    },
  ]);
});

describe("VLANConfig, VRFConfig, VethConfig", () => {
  table([
    {
      name: "a VLAN with a mode in any case",
      docs: [doc("VLANConfig", { name: "eth0.10", vlanID: 10, parent: "eth0", vlanMode: "802.1AD" })],
      base,
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
      name: "VLAN without an id, an unknown mode, an unspecified gateway",
      docs: [
        doc("VLANConfig", {
          name: "v",
          parent: "eth0",
          vlanMode: "802.1x",
          routes: [{ gateway: "0.0.0.0" }],
        }),
      ],
      base,
      errors: [
        "VLANConfig/v vlanID: vlanID must be specified and between 1 and 4094",
        "VLANConfig/v vlanMode: vlanMode must be either '802.1q' or '802.1ad'",
        "VLANConfig/v routes[0].gateway: route 0 gateway must be a valid IP address",
      ],
    },
    { name: "a VRF with its own table", docs: [doc("VRFConfig", { name: "vrf0", table: "100" })], base },
    {
      name: "VRF reserved tables by name",
      docs: [
        doc("VRFConfig", { name: "vrf0", table: "main" }),
        doc("VRFConfig", { name: "vrf1", table: "Local" }),
        doc("VRFConfig", { name: "vrf2", table: "default" }),
      ],
      base,
      errors: [
        "VRFConfig/vrf0 table: cannot create vrf with reserved table main",
        "VRFConfig/vrf1 table: cannot create vrf with reserved table local",
        "VRFConfig/vrf2 table: cannot create vrf with reserved table default",
      ],
    },
    {
      name: "a VRF without a table",
      docs: [doc("VRFConfig", { name: "vrf0" })],
      base,
      errors: ["VRFConfig/vrf0 table: cannot create vrf with reserved table unspec"],
    },
    {
      name: "a veth pair",
      docs: [
        doc("VethConfig", {
          name: "veth0",
          peer: { name: "veth0-peer", addresses: [{ address: "10.0.0.2/24" }] },
          addresses: [{ address: "10.0.0.1/24" }],
        }),
      ],
      base,
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
      name: "veth names that are dots, spaces, or one and the same",
      docs: [
        doc("VethConfig", { name: "..", peer: { name: "a b" } }),
        doc("VethConfig", { name: "v1", peer: { name: "v1" } }),
      ],
      base,
      errors: [
        'VethConfig/.. name: name must not be ".."',
        "VethConfig/.. peer.name: peer name must not contain whitespace or non-printable characters",
        "VethConfig/v1 peer.name: name and peer name must be different",
        // Talos refuses this pair when it builds the config already.
        'VethConfig/v1: conflicting link configurations: VethConfig/v1 and VethConfig/v1 both configure "v1"',
      ],
    },
    {
      name: "a veth peer without a name; the peer's addresses are checked",
      docs: [doc("VethConfig", { name: "veth0", peer: { addresses: [{ address: "0.0.0.0/24" }] } })],
      base,
      errors: [
        "VethConfig/veth0 peer.name: peer name must be specified",
        "VethConfig/veth0 peer.addresses[0].address: address 0 must be a valid IP address",
      ],
    },
    {
      name: "a veth name of 15 multibyte bytes is too long",
      docs: [doc("VethConfig", { name: "ééééééééé", peer: { name: "p" } })],
      base,
      errors: ["VethConfig/ééééééééé name: name must not exceed 15 bytes"],
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
  ]);
});

describe("WireguardConfig", () => {
  table([
    {
      name: "valid keys",
      docs: [
        doc("WireguardConfig", {
          name: "wg0",
          privateKey: KEY,
          listenPort: 51820,
          peers: [{ publicKey: KEY, presharedKey: KEY, persistentKeepaliveInterval: "25s" }],
        }),
      ],
      base,
    },
    {
      name: "keys must be base64 of 32 bytes",
      docs: [
        doc("WireguardConfig", {
          name: "wg0",
          privateKey: "abc",
          peers: [{ publicKey: Buffer.alloc(16).toString("base64"), presharedKey: "a!" }],
        }),
      ],
      base,
      errors: [
        "WireguardConfig/wg0 privateKey: wireguard private key is invalid: illegal base64 data at input byte 0",
        "WireguardConfig/wg0 peers[0].publicKey: wireguard peer public key is invalid (peer index 0): invalid wireguard key length",
        "WireguardConfig/wg0 peers[0].presharedKey: wireguard peer preshared key is invalid (peer index 0): illegal base64 data at input byte 1",
      ],
    },
    {
      name: "missing keys, port out of range, negative keepalive",
      docs: [
        doc("WireguardConfig", {
          listenPort: 65536,
          peers: [{ persistentKeepaliveInterval: "-1s" }],
          addresses: [{ address: "0.0.0.0/32" }],
        }),
      ],
      base,
      errors: [
        "WireguardConfig name: name must be specified",
        "WireguardConfig privateKey: wireguard private key must be specified",
        "WireguardConfig listenPort: wireguard listen port must be between 0 and 65535",
        "WireguardConfig peers[0].publicKey: wireguard peer public key must be specified (peer index 0)",
        "WireguardConfig peers[0].persistentKeepaliveInterval: wireguard peer persistent keepalive interval cannot be negative (peer index 0)",
        "WireguardConfig addresses[0].address: address 0 must be a valid IP address",
      ],
    },
  ]);
});

describe("Layer2VIPConfig, HCloudVIPConfig", () => {
  table([
    {
      name: "VIPs on a link",
      docs: [
        doc("Layer2VIPConfig", { name: "10.0.0.10", link: "eth0" }),
        doc("HCloudVIPConfig", { name: "fd00::10", link: "eth0", apiToken: "token" }),
      ],
      base,
    },
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
      name: "unnamed VIPs",
      docs: [doc("Layer2VIPConfig", { link: "eth0" }), doc("HCloudVIPConfig", {})],
      base,
      errors: [
        "Layer2VIPConfig name: name must be specified",
        "HCloudVIPConfig name: name must be specified",
        "HCloudVIPConfig link: link must be specified",
        "HCloudVIPConfig apiToken: apiToken must be specified",
      ],
    },
    {
      name: "an IPv6 name netip refuses, in its words",
      docs: [doc("Layer2VIPConfig", { name: "fd00::1::2", link: "eth0" })],
      base,
      errors: [
        'Layer2VIPConfig/fd00::1::2 name: name must be a valid IP address: ParseAddr("fd00::1::2"): multiple :: in address (at ":2")',
      ],
    },
    {
      name: "a hostname is no VIP",
      docs: [doc("HCloudVIPConfig", { name: "vip", link: "eth0", apiToken: "t" })],
      base,
      errors: [
        'HCloudVIPConfig/vip name: name must be a valid IP address: ParseAddr("vip"): unable to parse IP',
      ],
    },
  ]);
});

describe("StaticHostConfig, BlackholeRouteConfig", () => {
  table([
    {
      name: "a static host and a blackhole route",
      docs: [
        doc("StaticHostConfig", { name: "10.0.0.5", hostnames: ["db"] }),
        doc("BlackholeRouteConfig", { name: "10.99.0.0/16", metric: 100 }),
      ],
      base,
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
      name: "unnamed static host and blackhole route",
      docs: [doc("StaticHostConfig", { hostnames: ["a"] }), doc("BlackholeRouteConfig", {})],
      base,
      errors: [
        "StaticHostConfig name: name is required",
        "StaticHostConfig name: name must be a valid IP address",
        "BlackholeRouteConfig name: name must be specified",
        "BlackholeRouteConfig name: name must be a valid address prefix: netip.ParsePrefix(\"\"): no '/'",
      ],
    },
    {
      name: "a blackhole route with a zone",
      docs: [doc("BlackholeRouteConfig", { name: "fe80::1%eth0/64" })],
      base,
      errors: [
        'BlackholeRouteConfig/fe80::1%eth0/64 name: name must be a valid address prefix: netip.ParsePrefix("fe80::1%eth0/64"): IPv6 zones cannot be present in a prefix',
      ],
    },
    {
      name: "blackhole route prefix length out of range",
      docs: [doc("BlackholeRouteConfig", { name: "10.0.0.0/33" })],
      base,
      errors: [
        'BlackholeRouteConfig/10.0.0.0/33 name: name must be a valid address prefix: netip.ParsePrefix("10.0.0.0/33"): prefix length out of range',
      ],
    },
  ]);
});

describe("RoutingRuleConfig", () => {
  table([
    {
      name: "a rule with a blackhole action",
      docs: [doc("RoutingRuleConfig", { name: "1000", action: "Blackhole" })],
      base,
    },
    {
      name: "a rule with a table",
      docs: [doc("RoutingRuleConfig", { name: "32765", table: "100", fwMark: 1, fwMask: 255 })],
      base,
    },
    {
      name: "priorities and targets",
      docs: [doc("RoutingRuleConfig", { name: "32766", fwMask: 255 })],
      base,
      errors: [
        "RoutingRuleConfig/32766 name: priority must be between 1 and 32765 (excluding reserved priorities [0 32500 32766 32767])",
        "RoutingRuleConfig/32766 table: either table or a non-unicast action must be specified",
        "RoutingRuleConfig/32766 fwMask: fwMask requires fwMark to be set",
      ],
    },
    {
      name: "a unicast action needs a table",
      docs: [doc("RoutingRuleConfig", { name: "100", action: "unicast", table: "unspec" })],
      base,
      errors: ["RoutingRuleConfig/100 table: either table or a non-unicast action must be specified"],
    },
    {
      name: "a name that is no number",
      docs: [doc("RoutingRuleConfig", { name: "high", table: "main" })],
      base,
      errors: [
        'RoutingRuleConfig/high name: invalid name: must be priority parsable unsigned integer: strconv.ParseUint: parsing "high": invalid syntax',
        "RoutingRuleConfig/high name: priority must be between 1 and 32765 (excluding reserved priorities [0 32500 32766 32767])",
      ],
    },
    {
      name: "a name out of range is not also reserved",
      docs: [doc("RoutingRuleConfig", { name: "4294967296", table: "main" })],
      base,
      errors: [
        'RoutingRuleConfig/4294967296 name: invalid name: must be priority parsable unsigned integer: strconv.ParseUint: parsing "4294967296": value out of range',
      ],
    },
  ]);
});

describe("DHCPv4Config, DHCPv6Config, EthernetConfig", () => {
  table([
    {
      name: "DUID client identifiers with a DUID, in any case",
      docs: [
        doc("DHCPv4Config", { name: "eth0", clientIdentifier: "DUID", duidRaw: "00:01:00:01" }),
        doc("DHCPv6Config", { name: "eth0", clientIdentifier: "mac" }),
      ],
      base,
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
      name: "unnamed DHCP documents",
      docs: [doc("DHCPv4Config", {}), doc("DHCPv6Config", { clientIdentifier: "none", duidRaw: "00:02" })],
      base,
      errors: [
        "DHCPv4Config name: name must be specified",
        "DHCPv6Config name: name must be specified",
        "DHCPv6Config duidRaw: duidRaw can only be set if clientIdentifier is 'duid'",
      ],
    },
    { name: "ethernet with a name", docs: [doc("EthernetConfig", { name: "eth0" })], base },
    {
      name: "ethernet needs a name",
      docs: [doc("EthernetConfig", {})],
      base,
      errors: ["EthernetConfig name: name is required"],
    },
  ]);
});

describe("HTTPProbeConfig, TCPProbeConfig", () => {
  table([
    {
      name: "valid probes",
      docs: [
        doc("HTTPProbeConfig", {
          name: "h",
          url: "HTTPS://example.com/health",
          timeout: "5s",
          interval: "1s",
        }),
        doc("TCPProbeConfig", { name: "t", endpoint: "10.0.0.1:80", failureThreshold: 3 }),
      ],
      base,
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
      name: "HTTP URLs without a host, or opaque",
      docs: [
        doc("HTTPProbeConfig", { name: "a", url: "http:///health" }),
        doc("HTTPProbeConfig", { name: "b", url: "https:example.com" }),
        doc("HTTPProbeConfig", { name: "c", url: "http://:8080/" }),
      ],
      base,
      errors: [
        "HTTPProbeConfig/a url: HTTP probe URL must be an absolute http or https URL with a non-empty host",
        "HTTPProbeConfig/b url: HTTP probe URL must be an absolute http or https URL with a non-empty host",
        "HTTPProbeConfig/c url: HTTP probe URL must be an absolute http or https URL with a non-empty host",
      ],
    },
    {
      name: "a URL without a scheme",
      docs: [doc("HTTPProbeConfig", { name: "h", url: "example.com/health" })],
      base,
      errors: ['HTTPProbeConfig/h url: HTTP probe URL scheme must be http or https, got ""'],
    },
    {
      name: "negative values",
      docs: [
        doc("HTTPProbeConfig", {
          name: "h",
          url: "http://x",
          timeout: "-5s",
          interval: "-1m30s",
          failureThreshold: -1,
        }),
        doc("TCPProbeConfig", { name: "t", endpoint: "x:1", timeout: "-500ms", failureThreshold: -2 }),
      ],
      base,
      errors: [
        "HTTPProbeConfig/h timeout: HTTP probe timeout cannot be negative: -5s",
        "HTTPProbeConfig/h interval: probe interval cannot be negative: -1m30s",
        "HTTPProbeConfig/h failureThreshold: probe failure threshold cannot be negative: -1",
        "TCPProbeConfig/t timeout: TCP probe timeout cannot be negative: -500ms",
        "TCPProbeConfig/t failureThreshold: probe failure threshold cannot be negative: -2",
      ],
    },
    {
      name: "unnamed probes",
      docs: [doc("HTTPProbeConfig", {}), doc("TCPProbeConfig", {})],
      base,
      errors: [
        "HTTPProbeConfig name: probe name is required",
        "HTTPProbeConfig url: HTTP probe URL is required",
        "TCPProbeConfig name: probe name is required",
        "TCPProbeConfig endpoint: TCP probe endpoint is required",
      ],
    },
  ]);
});

describe("NetworkRuleConfig", () => {
  const rule = (ports: unknown[], ingress: object[] = [{ subnet: "10.0.0.0/8" }]) =>
    doc("NetworkRuleConfig", { name: "r", portSelector: { ports, protocol: "tcp" }, ingress });
  table([
    {
      name: "ports and ranges",
      docs: [rule([443, "8000-8080", 80], [{ subnet: "10.0.0.0/8", except: "10.1.0.0/16" }])],
      base,
    },
    {
      name: "ports overlap",
      docs: [rule([80, "70-90"])],
      base,
      errors: ["NetworkRuleConfig/r portSelector.ports: invalid port range: 80-80, overlaps with 70-90"],
    },
    {
      name: "the same port twice",
      docs: [rule([1000, 1000])],
      base,
      errors: [
        "NetworkRuleConfig/r portSelector.ports: invalid port range: 1000-1000, overlaps with 1000-1000",
      ],
    },
    {
      name: "an inverted range",
      docs: [rule(["8081-8080"])],
      base,
      errors: ["NetworkRuleConfig/r portSelector.ports: invalid port range: 8081-8080"],
    },
    {
      name: "entries that are no port range",
      docs: [rule([22, "80"]), doc("NetworkRuleConfig", { name: "s", portSelector: { ports: [70000] } })],
      base,
      errors: [
        'NetworkRuleConfig/r portSelector.ports[1]: invalid port range: "80"',
        'NetworkRuleConfig/s portSelector.ports[0]: invalid port range: "70000"',
      ],
    },
    {
      name: "a range end that is no number",
      docs: [rule(["80-http"])],
      base,
      errors: ['NetworkRuleConfig/r portSelector.ports[0]: invalid port range: "80-http"'],
    },
    {
      name: "name and ports required",
      docs: [
        doc("NetworkRuleConfig", {}),
        doc("NetworkRuleConfig", { name: "s", portSelector: { ports: [] } }),
      ],
      base,
      errors: [
        "NetworkRuleConfig name: name is required",
        "NetworkRuleConfig/s portSelector.ports: portSelector.ports is required",
      ],
    },
    {
      name: "an ingress rule without a subnet",
      docs: [rule([22], [{ except: "10.0.0.0/8" }])],
      base,
      errors: ["NetworkRuleConfig/r ingress[0].subnet: invalid subnet: invalid Prefix"],
    },
  ]);
});

describe("LinkAliasConfig", () => {
  const alias = (name: string | undefined, match?: string) =>
    doc("LinkAliasConfig", {
      ...(name !== undefined ? { name } : {}),
      ...(match !== undefined ? { selector: { match } } : {}),
    });
  table([
    {
      name: "an alias and a pattern alias",
      docs: [
        alias("uplink", "mac(link.permanent_addr) == '00:11:22:33:44:55'"),
        alias("net%d", "link.type == 1"),
      ],
      base,
    },
    {
      name: "verbs and selector",
      docs: [alias("net%s")],
      base,
      errors: [
        'LinkAliasConfig/net%s name: name "net%s" contains an invalid format verb, use %d suffix',
        "LinkAliasConfig/net%s selector.match: link selector is required",
      ],
    },
    {
      name: "padding, two verbs, no prefix",
      docs: [alias("net%02d", "true"), alias("net%d-port%d", "true"), alias("%d", "true")],
      base,
      errors: [
        'LinkAliasConfig/net%02d name: name "net%02d" contains an invalid format verb, use %d suffix',
        'LinkAliasConfig/net%d-port%d name: name "net%d-port%d" contains an invalid format verb, use %d suffix',
        'LinkAliasConfig/%d name: name "%d" contains an invalid format verb, use %d suffix',
      ],
    },
    {
      name: "a selector in another environment",
      docs: [alias("a", "disk.size > 120")],
      base,
      errors: [
        "LinkAliasConfig/a selector.match: link selector is invalid: ERROR: <input>:1:1: undeclared reference to 'disk' (in container '')\n | disk.size > 120\n | ^",
      ],
    },
    {
      name: "unnamed",
      docs: [alias(undefined, "true")],
      base,
      errors: ["LinkAliasConfig name: name must be specified"],
    },
  ]);
});

describe("BGPInstanceConfig", () => {
  const bgp = (body: object) =>
    doc("BGPInstanceConfig", { name: "b", localASN: 65000, neighbors: [{ link: "eth0" }], ...body });
  table([
    {
      name: "numbered and unnumbered neighbors with imports",
      docs: [
        bgp({
          routerID: "10.0.0.1",
          neighbors: [
            { address: "10.0.0.2", peerASN: 65001, holdTime: "90s", bfd: { transmitInterval: "300ms" } },
            { link: "eth1", peerASN: 65002 },
          ],
          importRoutes: [
            { bgpInstance: "a", prefixes: ["10.0.0.0/24", "fd00::/64"] },
            { bgpInstance: "c", prefixes: ["10.0.1.0/24"] },
          ],
        }),
      ],
      base,
    },
    {
      name: "without neighbors warns; name and ASN required",
      docs: [doc("BGPInstanceConfig", { routerID: "fd00::1" })],
      base,
      errors: [
        "BGPInstanceConfig name: name must be specified",
        "BGPInstanceConfig localASN: localASN must be specified",
        "BGPInstanceConfig routerID: routerID must be an IPv4 address",
      ],
      warnings: ["BGPInstanceConfig neighbors: BGPInstanceConfig has no neighbors configured"],
    },
    {
      name: "an IPv4-mapped router ID is not IPv4",
      docs: [bgp({ routerID: "::ffff:10.0.0.1" })],
      base,
      errors: ["BGPInstanceConfig/b routerID: routerID must be an IPv4 address"],
    },
    {
      name: "neighbors need exactly one of address and link",
      docs: [bgp({ neighbors: [{ peerASN: 1 }, { address: "10.0.0.1", link: "eth0" }] })],
      base,
      errors: [
        "BGPInstanceConfig/b neighbors[0]: neighbor[0]: exactly one of address or link must be set",
        "BGPInstanceConfig/b neighbors[1]: neighbor[1]: exactly one of address or link must be set",
      ],
    },
    {
      name: "duplicate neighbors, addresses compared as netip writes them",
      docs: [
        bgp({
          neighbors: [{ address: "fd00::1" }, { address: "FD00:0:0::1" }, { link: "eth0" }, { link: "eth0" }],
        }),
      ],
      base,
      errors: [
        'BGPInstanceConfig/b neighbors[1]: neighbor[1]: duplicate neighbor "fd00::1"',
        'BGPInstanceConfig/b neighbors[3]: neighbor[3]: duplicate neighbor "eth0"',
      ],
    },
    {
      name: "negative timers",
      docs: [
        bgp({
          neighbors: [
            { link: "eth0", holdTime: "-1s", bfd: { transmitInterval: "-1ms", receiveInterval: "-2ms" } },
          ],
        }),
      ],
      base,
      errors: [
        "BGPInstanceConfig/b neighbors[0].holdTime: neighbor[0]: holdTime must not be negative",
        "BGPInstanceConfig/b neighbors[0].bfd.transmitInterval: neighbor[0]: bfd.transmitInterval must not be negative",
        "BGPInstanceConfig/b neighbors[0].bfd.receiveInterval: neighbor[0]: bfd.receiveInterval must not be negative",
      ],
    },
    {
      name: "BFD in a VRF; an empty BFD is fine elsewhere",
      docs: [
        bgp({ vrf: "vrf0", neighbors: [{ link: "eth0", bfd: {} }] }),
        doc("BGPInstanceConfig", { name: "c", localASN: 1, neighbors: [{ link: "eth0", bfd: {} }] }),
      ],
      base,
      errors: [
        "BGPInstanceConfig/b neighbors[0].bfd: neighbor[0]: bfd is not supported for VRF-bound BGP instances",
      ],
    },
    {
      name: "imports: source, prefixes, masks and overlaps within one import",
      docs: [
        bgp({
          importRoutes: [
            { bgpInstance: "b", prefixes: ["10.0.0.1/8"] },
            { prefixes: [] },
            { bgpInstance: "a", prefixes: ["FD00:0::/16", "fd00:1::/32", "10.0.0.0/8"] },
          ],
        }),
      ],
      base,
      errors: [
        'BGPInstanceConfig/b importRoutes[0].bgpInstance: importRoutes[0]: cannot import from the same BGP instance "b"',
        "BGPInstanceConfig/b importRoutes[0].prefixes[0]: importRoutes[0].prefixes[0]: prefix 10.0.0.1/8 must be masked",
        "BGPInstanceConfig/b importRoutes[1].bgpInstance: importRoutes[1]: bgpInstance must be specified",
        "BGPInstanceConfig/b importRoutes[1].prefixes: importRoutes[1]: at least one prefix must be specified",
        "BGPInstanceConfig/b importRoutes[2].prefixes[1]: importRoutes[2].prefixes[1]: prefix fd00:1::/32 overlaps prefixes[0] fd00::/16",
      ],
    },
    {
      name: "imports: duplicate sources and overlaps across imports",
      docs: [
        bgp({
          importRoutes: [
            { bgpInstance: "a", prefixes: ["198.51.100.0/24"] },
            { bgpInstance: "a", prefixes: ["198.51.100.128/25", "10.0.0.1/8"] },
            { bgpInstance: "c", prefixes: ["192.0.2.0/24"] },
          ],
        }),
      ],
      base,
      errors: [
        "BGPInstanceConfig/b importRoutes[1].prefixes[1]: importRoutes[1].prefixes[1]: prefix 10.0.0.1/8 must be masked",
        'BGPInstanceConfig/b importRoutes[1].bgpInstance: importRoutes[1]: duplicate source BGP instance "a"',
        "BGPInstanceConfig/b importRoutes[1].prefixes[0]: importRoutes[1]: prefix 198.51.100.128/25 overlaps importRoutes[0] prefix 198.51.100.0/24",
      ],
    },
  ]);
});

describe("KubeSpanConfig", () => {
  const discovery = merge(WORKER, { cluster: { id: "id", secret: "secret", discovery: { enabled: true } } });
  table([
    {
      name: "filters of prefixes, addresses and negations",
      docs: [
        doc("KubeSpanConfig", {
          enabled: true,
          mtu: 1280,
          filters: { endpoints: ["0.0.0.0/0", "!10.0.0.0/8", "fd00::1", "!fe80::1%eth0"] },
        }),
      ],
      base: discovery,
    },
    {
      name: "MTU, filters, discovery",
      docs: [doc("KubeSpanConfig", { enabled: true, mtu: 1000, filters: { endpoints: ["nope", "!/8"] } })],
      base,
      errors: [
        "KubeSpanConfig mtu: kubespan link MTU must be at least 1280",
        'KubeSpanConfig filters.endpoints[0]: KubeSpan endpoint filter is not valid: "nope"',
        'KubeSpanConfig filters.endpoints[1]: KubeSpan endpoint filter is not valid: "/8"',
        "KubeSpanConfig: KubeSpan requires cluster discovery to be enabled",
      ],
    },
    {
      name: "a filter netip refuses",
      docs: [doc("KubeSpanConfig", { filters: { endpoints: ["10.0.0.0/08"] } })],
      base,
      errors: ['KubeSpanConfig filters.endpoints[0]: KubeSpan endpoint filter is not valid: "10.0.0.0/08"'],
    },
    {
      name: "conflicts with .machine.network.kubespan",
      docs: [doc("KubeSpanConfig", {})],
      base: legacy({ network: { kubespan: {} } }),
      errors: ["KubeSpanConfig: kubespan is already configured in v1alpha1 machine.network.kubespan"],
    },
  ]);
});
