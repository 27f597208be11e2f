// The links the emulated machine has: `lo`, and `eth0` carrying its address, with a MAC in the
// range QEMU's virtio NICs use, stable for the machine.
import { createHash } from "node:crypto";
import type { Link } from "./capture.js";
import { LINKTYPE_ETHERNET } from "./pcap.js";

export const LOOPBACK_MTU = 65_536;
export const ETHERNET_MTU = 1_500;

function mac(seed: string, prefix: readonly number[]): Uint8Array {
  const h = createHash("sha256").update(seed).digest();
  return Uint8Array.from([...prefix, ...h.subarray(0, 6 - prefix.length)]);
}

/** The machine's links, from its identity (the MACs follow the machine UUID). */
export function machineLinks(machineUuid: string): Link[] {
  return [
    {
      name: "eth0",
      mtu: ETHERNET_MTU,
      mac: mac(`${machineUuid}/eth0`, [0x52, 0x54, 0x00]),
      peerMac: mac(`${machineUuid}/gateway`, [0x52, 0x54, 0x00]),
      linkType: LINKTYPE_ETHERNET,
    },
    {
      name: "lo",
      mtu: LOOPBACK_MTU,
      mac: new Uint8Array(6),
      peerMac: new Uint8Array(6),
      linkType: LINKTYPE_ETHERNET,
    },
  ];
}

/** A MAC as `52:54:00:12:34:56`. */
export function formatMac(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");
}
