// The platform network config the Network Config screen builds (siderolabs/talos:
// internal/pkg/dashboard/formdata.go): the form's fields turned into a PlatformNetworkConfig
// (network.PlatformConfigSpec, in its field order and YAML names) over the node's existing
// one, with Talos's validation messages (go-multierror's list text included). Saving writes
// its YAML to META key 0x0a (meta.MetalNetworkPlatformConfig), which the metal platform reads.
import { parse } from "yaml";
import { encodeYaml } from "../../../yaml/index.js";
import { goQuote, parseAddr, parsePrefix } from "./netip.js";

/** meta.MetalNetworkPlatformConfig. */
export const META_NETWORK_PLATFORM_CONFIG = 0x0a;
/** The MetaKeys resource id of that tag. */
export const META_NETWORK_PLATFORM_CONFIG_ID = "0x0a";

export const INTERFACE_NONE = "(none)";
export const MODE_DHCP = "DHCP";
export const MODE_STATIC = "Static";

export interface NetworkFormData {
  readonly hostname: string;
  readonly dnsServers: string;
  readonly timeServers: string;
  readonly iface: string;
  readonly vlanId: string;
  readonly mode: string;
  readonly addresses: string;
  readonly gateway: string;
}

type Obj = Record<string, unknown>;

/** A built config, as plain data in network.PlatformConfigSpec's field order. */
export type PlatformNetworkConfig = Obj;

/** go-multierror's text of a list of errors. */
export function multiErrorText(errors: readonly string[]): string {
  if (errors.length === 1) return `1 error occurred:\n\t* ${errors[0]}\n\n`;
  return `${errors.length} errors occurred:\n\t${errors.map((e) => `* ${e}`).join("\n\t")}\n\n`;
}

/** The form's error, its text as Talos shows it after `error: `. */
export class NetworkFormError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(multiErrorText(errors));
  }
}

/** Items of a list field, split at commas and white space. */
export function splitInputList(text: string): string[] {
  return text.split(/[\s,]+/u).filter((p) => p !== "");
}

const ORDER = [
  "addresses",
  "links",
  "routes",
  "hostnames",
  "resolvers",
  "timeServers",
  "operators",
  "externalIPs",
  "probes",
  "metadata",
] as const;

/** Puts a config's fields in Go's order, every list field present (nil lists print `[]`). */
export function normalizeConfig(value: unknown): PlatformNetworkConfig {
  const src: Obj = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {};
  const out: Obj = {};
  for (const key of ORDER) {
    const v = src[key];
    if (key === "probes" || key === "metadata") {
      const empty = v === undefined || v === null || (Array.isArray(v) && v.length === 0);
      if (!empty) out[key] = v;
    } else out[key] = Array.isArray(v) ? v : [];
  }
  return out;
}

/** Parses the YAML a META key holds; throws the parser's error. */
export function parseConfig(text: string): PlatformNetworkConfig {
  return normalizeConfig(parse(text));
}

/** The config as YAML (`indent` 2 on the screen, 4 as yaml.Marshal writes it to META). */
export function configYaml(config: PlatformNetworkConfig, indent = 4): string {
  return encodeYaml(config, { indent });
}

function parseVlanId(text: string): number {
  const t = text.trim();
  if (!/^[+-]?[0-9]+$/.test(t))
    throw new Error(`VLAN ID: strconv.Atoi: parsing ${goQuote(t)}: invalid syntax`);
  const id = Number(t);
  if (id < 1 || id > 4094) throw new Error(`VLAN ID must be in the range 1..4094, got ${id}`);
  return id;
}

/** The form over `base` (the node's current config); throws NetworkFormError. */
export function toPlatformNetworkConfig(
  form: NetworkFormData,
  base?: PlatformNetworkConfig,
): PlatformNetworkConfig {
  const errors: string[] = [];
  const config = normalizeConfig(base ?? {});
  // The fields the form manages start empty; the rest of the node's config is kept.
  for (const key of ["hostnames", "resolvers", "timeServers", "links", "operators", "addresses", "routes"]) {
    config[key] = [];
  }
  const layer = "platform";

  if (form.hostname !== "") config.hostnames = [{ hostname: form.hostname, domainname: "", layer }];

  const dnsErrors: string[] = [];
  const dns: string[] = [];
  for (const item of splitInputList(form.dnsServers)) {
    try {
      dns.push(parseAddr(item).text);
    } catch (e) {
      dnsErrors.push(`address: ${(e as Error).message}`);
    }
  }
  if (dnsErrors.length > 0) errors.push(`failed to parse DNS servers: ${multiErrorText(dnsErrors)}`);
  else if (dns.length > 0) {
    config.resolvers = [
      {
        dnsServers: dns,
        nameServers: dns.map((addr) => ({ addr, protocol: "Do53", tlsServerName: "" })),
        layer,
      },
    ];
  }

  const ntp = splitInputList(form.timeServers);
  if (ntp.length > 0) config.timeServers = [{ timeServers: ntp, layer }];

  if (form.iface !== "" && form.iface !== INTERFACE_NONE) {
    const links: Obj[] = [
      { name: form.iface, logical: false, up: true, mtu: 0, kind: "", type: "ether", layer },
    ];
    let linkName = form.iface;
    if (form.vlanId.trim() !== "") {
      try {
        const vid = parseVlanId(form.vlanId);
        linkName = `${form.iface}.${vid}`;
        links.push({
          name: linkName,
          logical: true,
          up: true,
          mtu: 0,
          kind: "vlan",
          type: "ether",
          parentName: form.iface,
          vlan: { vlanID: vid, vlanProtocol: "802.1q" },
          layer,
        });
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    config.links = links;
    if (form.mode === MODE_DHCP) {
      config.operators = [
        { operator: "dhcp4", linkName, requireUp: true, dhcp4: { routeMetric: 1024 }, layer },
      ];
    } else if (form.mode === MODE_STATIC) {
      const addresses: Obj[] = [];
      const addrErrors: string[] = [];
      for (const item of splitInputList(form.addresses)) {
        try {
          const p = parsePrefix(item);
          addresses.push({
            address: p.text,
            linkName,
            family: p.addr.family === 4 ? "inet4" : "inet6",
            scope: "global",
            flags: "permanent",
            layer,
          });
        } catch (e) {
          addrErrors.push((e as Error).message);
        }
      }
      errors.push(...addrErrors);
      config.addresses = addrErrors.length > 0 ? [] : addresses;
      if ((config.addresses as Obj[]).length === 0) errors.push("no addresses specified");
      try {
        const gw = parseAddr(form.gateway.trim());
        config.routes = [
          {
            family: gw.family === 4 ? "inet4" : "inet6",
            dst: "",
            src: "",
            gateway: gw.text,
            outLinkName: linkName,
            table: "main",
            scope: "global",
            type: "unicast",
            flags: "",
            protocol: "static",
            layer,
          },
        ];
      } catch (e) {
        errors.push(`gateway: ${(e as Error).message}`);
      }
    }
  }
  if (errors.length > 0) throw new NetworkFormError(errors);
  return config;
}
