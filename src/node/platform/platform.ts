// The emulated platform: Talos's runtime mode and platform name, and the machine's addresses
// (derived from where the API listens).
import { isIP } from "node:net";
import os from "node:os";

/** Talos's runtime modes. */
export type PlatformMode = "metal" | "container" | "cloud" | "metal-agent";

export const PLATFORMS = ["metal", "container", "cloud"] as const;
export type PlatformFlag = (typeof PLATFORMS)[number];

export interface PlatformInfo {
  /** Talos's runtime mode: `metal`, `container`, `cloud`. */
  readonly mode: PlatformMode;
  /** The platform name Version reports (`metal`, `container`, `nocloud`). */
  readonly name: string;
  /** Tags of the virtiofs shares the host exports to the machine. */
  readonly virtiofs?: readonly string[];
}

export function platformInfo(flag: PlatformFlag): PlatformInfo {
  switch (flag) {
    case "metal":
      return { mode: "metal", name: "metal" };
    case "container":
      return { mode: "container", name: "container" };
    case "cloud":
      return { mode: "cloud", name: "nocloud" };
  }
}

function unspecified(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/**
 * The machine's IP addresses: the listen host, or when listening on every interface the
 * loopback address plus this computer's non-internal addresses.
 */
export function nodeAddresses(listenHost: string): string[] {
  if (!unspecified(listenHost)) return isIP(listenHost) ? [listenHost] : ["127.0.0.1"];
  const out = ["127.0.0.1"];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const addr of list ?? []) {
      if (addr.internal || addr.family !== "IPv4") continue;
      if (!out.includes(addr.address)) out.push(addr.address);
    }
  }
  return out;
}

/** The address the maintenance hints tell users to dial: the first non-loopback one if any. */
export function preferredAddress(addresses: readonly string[]): string {
  return addresses.find((a) => !a.startsWith("127.") && a !== "::1") ?? addresses[0] ?? "127.0.0.1";
}

/** CIDR form of an address for NodeAddresses resources. */
export function withPrefix(ip: string): string {
  return ip.includes(":") ? `${ip}/128` : `${ip}/32`;
}
