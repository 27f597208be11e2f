// Go types of Talos's specs that write themselves as text (siderolabs/talos:
// pkg/machinery/nethelpers, pkg/machinery/yamlutils): hardware addresses and the flag sets of
// links, addresses and routes, which their protobuf messages carry as bytes and integers.
import {
  NethelpersAddressFlagSchema,
  NethelpersRouteFlagSchema,
} from "../../gen/resource/definitions/enums/enums_pb.js";
import { enumText } from "./enum-text.js";

/** Link flags in bit order, as `ip link` names them. */
const LINK_FLAGS = [
  "UP",
  "BROADCAST",
  "DEBUG",
  "LOOPBACK",
  "POINTTOPOINT",
  "NOTRAILERS",
  "RUNNING",
  "NOARP",
  "PROMISC",
  "ALLMULTI",
  "MASTER",
  "SLAVE",
  "MULTICAST",
  "PORTSEL",
  "AUTOMEDIA",
  "DYNAMIC",
  "LOWER_UP",
  "DORMANT",
  "ECHO",
] as const;

export type LinkFlagName = (typeof LINK_FLAGS)[number];

/** The link flag bits of a list of names. */
export function linkFlags(...names: LinkFlagName[]): number {
  return names.reduce((bits, name) => bits | (1 << LINK_FLAGS.indexOf(name)), 0);
}

export function linkFlagsText(bits: number): string {
  return LINK_FLAGS.filter((_, i) => (bits & (1 << i)) !== 0).join(",");
}

/** Joins the names of the set bits between `first` and `last` (as Talos's flag types do). */
function flagsText(bits: number, first: number, last: number, name: (bit: number) => string): string {
  const out: string[] = [];
  for (let bit = first; bit <= last; bit *= 2) if ((bits & bit) === bit) out.push(name(bit));
  return out.join(",");
}

export function addressFlagsText(bits: number): string {
  return flagsText(bits, 1, 2048, (bit) => enumText(NethelpersAddressFlagSchema, bit));
}

export function routeFlagsText(bits: number): string {
  return flagsText(bits, 256, 32768, (bit) => enumText(NethelpersRouteFlagSchema, bit));
}

/** A MAC address as Go's net.HardwareAddr writes it (`aa:bb:cc:dd:ee:ff`; empty when unset). */
export function macText(bytes: Uint8Array | undefined): string {
  return Array.from(bytes ?? [])
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(":");
}

export function macBytes(text: string): Uint8Array {
  return text === "" ? new Uint8Array() : Uint8Array.from(text.split(":").map((h) => Number.parseInt(h, 16)));
}

/** A Go type's text form, from the protobuf value. */
export type Codec = (value: unknown) => unknown;

/** Codecs by the name layouts use after `:`. */
export const CODECS: Readonly<Record<string, Codec>> = {
  mac: (v) => macText(v as Uint8Array | undefined),
  linkFlags: (v) => linkFlagsText(Number(v ?? 0)),
  addressFlags: (v) => addressFlagsText(Number(v ?? 0)),
  routeFlags: (v) => routeFlagsText(Number(v ?? 0)),
  // yamlutils.StringBytes: the bytes as text.
  text: (v) => (v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : ""),
  base64: (v) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : ""),
};
