// The kernel's side of a boot, as it lands in the kernel log before machined starts: version,
// command line, memory, CPUs, buses, the disks and their partitions, then init. Timed over the
// first seconds after the kernel's clock zero.
import type { Disk } from "../platform/index.js";
import type { Facility, KernelLog, Priority } from "./kmsg.js";

/** How long the emulated kernel takes from its clock zero until it runs init. */
export const KERNEL_BOOT_MS = 2_400;
export const KERNEL_VERSION = "6.18.5-talos";

export interface TranscriptFacts {
  readonly platform: string;
  readonly memTotalKb: number;
  readonly cpus: number;
  readonly disks: readonly Disk[];
  /** Whether the system disk carries Talos's partitions (an installed machine). */
  readonly installed: boolean;
}

type Line = readonly [ms: number, facility: Facility, priority: Priority, text: string];

export function kernelCmdline(platform: string): string {
  return [
    `talos.platform=${platform}`,
    "console=ttyS0",
    "console=tty0",
    "init_on_alloc=1",
    "slab_nomerge",
    "pti=on",
    "consoleblank=0",
    "printk.devkmsg=on",
  ].join(" ");
}

function transcript(f: TranscriptFacts): Line[] {
  const memMb = Math.round(f.memTotalKb / 1024);
  const lines: Line[] = [
    [
      0,
      "kern",
      "notice",
      `Linux version ${KERNEL_VERSION} (builder@talos) (gcc 15.2.0, binutils 2.45) #1 SMP PREEMPT_DYNAMIC`,
    ],
    [0, "kern", "info", `Command line: ${kernelCmdline(f.platform)}`],
    [0, "kern", "info", "firmware: physical memory map provided by the BIOS"],
    [1, "kern", "info", "hypervisor: KVM detected, paravirtual clock enabled"],
    [2, "kern", "info", "tsc: 2445.406 MHz processor clock calibrated"],
    [4, "kern", "info", `memory: ${memMb} MiB usable after firmware reservations`],
    [9, "kern", "info", `smp: allowing ${f.cpus} CPUs, none hot-pluggable`],
    [38, "kern", "info", `smp: all ${f.cpus} CPUs online`],
    [52, "kern", "info", "devtmpfs: ready"],
    [61, "kern", "info", "net: netlink and routing sockets registered"],
    [140, "kern", "info", "pci 0000:00: host bridge scanned, 12 devices"],
    [212, "kern", "info", "virtio-pci: 4 virtio devices enumerated"],
    [318, "kern", "info", "random: entropy pool initialised"],
  ];
  let t = 402;
  f.disks.forEach((d, i) => {
    const name = d.devPath.replace(/^\/dev\//, "");
    const sectors = Math.floor(d.size / 512);
    lines.push([
      t,
      "kern",
      "notice",
      `sd 0:0:${i}:0: [${name}] ${sectors} 512-byte sectors (${(d.size / 1e9).toFixed(1)} GB)`,
    ]);
    if (i === 0 && f.installed) {
      const part = (n: number): string => `${name}${/\d$/.test(name) ? "p" : ""}${n}`;
      lines.push([t + 3, "kern", "info", ` ${name}: ${[1, 2, 3, 4, 5, 6].map(part).join(" ")}`]);
    }
    t += 11;
  });
  lines.push(
    [620, "kern", "info", "virtio_net virtio0 eth0: MAC address assigned, 1 queue pair"],
    [1_180, "kern", "info", "loop0: root filesystem image attached (squashfs)"],
    [1_420, "kern", "info", "freeing unused kernel memory: 3072K"],
    [1_455, "kern", "info", "kernel read-only data write-protected"],
    [KERNEL_BOOT_MS - 10, "kern", "info", "starting /init as the first process"],
  );
  return lines;
}

/** Writes the boot transcript into a fresh kernel log. */
export function writeKernelTranscript(log: KernelLog, facts: TranscriptFacts): void {
  for (const [ms, facility, priority, text] of transcript(facts))
    log.write(facility, priority, text, ms * 1000);
}
