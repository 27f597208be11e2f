// The cgroup tree talosctl builds from a copy of /sys/fs/cgroup (siderolabs/talos:
// internal/pkg/cgroups): a node per directory, each file parsed into the field its name maps to,
// names resolved (pod UIDs and container ids to what CRI calls them), children sorted by name.

import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { readTar } from "../tar.js";
import {
  type CgValue,
  type FlatMap,
  flatMap,
  type NestedKeyed,
  nestedKeyed,
  parseFlatMap,
  parseNestedKeyed,
  parseNewlineSeparated,
  parseRaw,
  parseSpaceSeparated,
  RawValue,
  CgValue as Value,
} from "./values.js";

/** One cgroup, with the fields the column templates name. */
export class CgroupNode {
  Children = new Map<string, CgroupNode>();
  CgroupEvents: FlatMap = flatMap();
  CgroupFreeze: CgValue = Value.unset();
  CgroupProcs: CgValue[] = [];
  CgroupStat: FlatMap = flatMap();
  CgroupThreads: CgValue[] = [];
  /** Filled after reading: the processes' names. */
  CgroupProcsResolved: RawValue[] = [];
  CPUIdle: CgValue = Value.unset();
  CPUMax: CgValue[] = [];
  CPUMaxBurst: CgValue = Value.unset();
  CPUPressure: NestedKeyed = nestedKeyed();
  CPUStat: FlatMap = flatMap();
  CPUStatLocal: FlatMap = flatMap();
  CPUWeight: CgValue = Value.unset();
  CPUWeightNice: CgValue = Value.unset();
  CPUSetCPUs: RawValue = new RawValue("");
  CPUSetCPUsEffective: RawValue = new RawValue("");
  CPUSetMems: RawValue = new RawValue("");
  CPUSetMemsEffective: RawValue = new RawValue("");
  IOBFQWeight: FlatMap = flatMap();
  IOMax: NestedKeyed = nestedKeyed();
  IOPressure: NestedKeyed = nestedKeyed();
  IOStat: NestedKeyed = nestedKeyed();
  MemoryCurrent: CgValue = Value.unset();
  MemoryEvents: FlatMap = flatMap();
  MemoryEventsLocal: FlatMap = flatMap();
  MemoryHigh: CgValue = Value.unset();
  MemoryLow: CgValue = Value.unset();
  MemoryMax: CgValue = Value.unset();
  MemoryMin: CgValue = Value.unset();
  MemoryNUMAStat: NestedKeyed = nestedKeyed();
  MemoryOOMGroup: CgValue = Value.unset();
  MemoryPeak: CgValue = Value.unset();
  MemoryPressure: NestedKeyed = nestedKeyed();
  MemoryStat: FlatMap = flatMap();
  MemorySwapCurrent: CgValue = Value.unset();
  MemorySwapEvents: FlatMap = flatMap();
  MemorySwapHigh: CgValue = Value.unset();
  MemorySwapMax: CgValue = Value.unset();
  MemorySwapPeak: CgValue = Value.unset();
  MemoryZswapCurrent: CgValue = Value.unset();
  MemoryZswapMax: CgValue = Value.unset();
  MemoryZswapWriteback: CgValue = Value.unset();
  PidsCurrent: CgValue = Value.unset();
  PidsEvents: FlatMap = flatMap();
  PidsMax: CgValue = Value.unset();
  PidsPeak: CgValue = Value.unset();

  /** Children's names in order. */
  sortedChildren(): string[] {
    return [...this.Children.keys()].sort();
  }

  /** Parses one file of the group into its field; other files are ignored. */
  parse(filename: string, text: string): void {
    const first = (values: CgValue[]): CgValue => values[0] ?? Value.unset();
    const single = (): CgValue => first(parseNewlineSeparated(text));
    switch (filename) {
      case "cgroup.events":
        this.CgroupEvents = parseFlatMap(text);
        break;
      case "cgroup.freeze":
        this.CgroupFreeze = single();
        break;
      case "cgroup.procs":
        this.CgroupProcs = parseNewlineSeparated(text);
        break;
      case "cgroup.stat":
        this.CgroupStat = parseFlatMap(text);
        break;
      case "cgroup.threads":
        this.CgroupThreads = parseNewlineSeparated(text);
        break;
      case "cpu.idle":
        this.CPUIdle = single();
        break;
      case "cpu.max":
        this.CPUMax = parseSpaceSeparated(text);
        break;
      case "cpu.max.burst":
        this.CPUMaxBurst = single();
        break;
      case "cpu.pressure":
        this.CPUPressure = parseNestedKeyed(text);
        break;
      case "cpu.stat":
        this.CPUStat = parseFlatMap(text);
        break;
      case "cpu.stat.local":
        this.CPUStatLocal = parseFlatMap(text);
        break;
      case "cpu.weight":
        this.CPUWeight = single();
        break;
      case "cpu.weight.nice":
        this.CPUWeightNice = single();
        break;
      case "cpuset.cpus":
        this.CPUSetCPUs = parseRaw(text);
        break;
      case "cpuset.cpus.effective":
        this.CPUSetCPUsEffective = parseRaw(text);
        break;
      case "cpuset.mems":
        this.CPUSetMems = parseRaw(text);
        break;
      case "cpuset.mems.effective":
        this.CPUSetMemsEffective = parseRaw(text);
        break;
      case "io.bfq.weight":
        this.IOBFQWeight = parseFlatMap(text);
        break;
      case "io.max":
        this.IOMax = parseNestedKeyed(text);
        break;
      case "io.pressure":
        this.IOPressure = parseNestedKeyed(text);
        break;
      case "io.stat":
        this.IOStat = parseNestedKeyed(text);
        break;
      case "memory.current":
        this.MemoryCurrent = single();
        break;
      case "memory.events":
        this.MemoryEvents = parseFlatMap(text);
        break;
      case "memory.events.local":
        this.MemoryEventsLocal = parseFlatMap(text);
        break;
      case "memory.high":
        this.MemoryHigh = single();
        break;
      case "memory.low":
        this.MemoryLow = single();
        break;
      case "memory.max":
        this.MemoryMax = single();
        break;
      case "memory.min":
        this.MemoryMin = single();
        break;
      case "memory.numa_stat":
        this.MemoryNUMAStat = parseNestedKeyed(text);
        break;
      case "memory.oom.group":
        this.MemoryOOMGroup = single();
        break;
      case "memory.peak":
        this.MemoryPeak = single();
        break;
      case "memory.pressure":
        this.MemoryPressure = parseNestedKeyed(text);
        break;
      case "memory.stat":
        this.MemoryStat = parseFlatMap(text);
        break;
      case "memory.swap.current":
        this.MemorySwapCurrent = single();
        break;
      case "memory.swap.events":
        this.MemorySwapEvents = parseFlatMap(text);
        break;
      case "memory.swap.high":
        this.MemorySwapHigh = single();
        break;
      case "memory.swap.max":
        this.MemorySwapMax = single();
        break;
      case "memory.swap.peak":
        this.MemorySwapPeak = single();
        break;
      case "memory.zswap.current":
        this.MemoryZswapCurrent = single();
        break;
      case "memory.zswap.max":
        this.MemoryZswapMax = single();
        break;
      case "memory.zswap.writeback":
        this.MemoryZswapWriteback = single();
        break;
      case "pids.current":
        this.PidsCurrent = single();
        break;
      case "pids.events":
        this.PidsEvents = parseFlatMap(text);
        break;
      case "pids.max":
        this.PidsMax = single();
        break;
      case "pids.peak":
        this.PidsPeak = single();
        break;
      default:
        break;
    }
  }

  /** Renames children that the map names (pod UIDs, container ids), at every level. */
  resolveNames(names: ReadonlyMap<string, string>): void {
    for (const [name, child] of [...this.Children]) {
      const resolved = names.get(name);
      if (resolved !== undefined) {
        this.Children.delete(name);
        this.Children.set(resolved, child);
      }
      child.resolveNames(names);
    }
  }

  walk(fn: (node: CgroupNode) => void): void {
    fn(this);
    for (const child of this.Children.values()) child.walk(fn);
  }
}

/** The node of a directory path (`system/apid/`), created on the way. */
function find(root: CgroupNode, directory: string): CgroupNode {
  let node = root;
  for (const part of directory.split("/")) {
    if (part === "." || part === "") return node;
    let child = node.Children.get(part);
    if (!child) {
      child = new CgroupNode();
      node.Children.set(part, child);
    }
    node = child;
  }
  return node;
}

/** The decompressed bytes of a gzip stream; a failure of the source fails the reading. */
function gunzipped(source: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  const gunzip = createGunzip();
  const input = Readable.from(source);
  input.on("error", (err) => gunzip.destroy(err));
  return input.pipe(gunzip) as AsyncIterable<Buffer>;
}

/** The tree of a .tar.gz of /sys/fs/cgroup (what `talosctl cp /sys/fs/cgroup -` gives). */
export async function treeFromTarGz(source: AsyncIterable<Uint8Array>): Promise<CgroupNode> {
  const root = new CgroupNode();
  await readTar(gunzipped(source), async (header, data) => {
    if (header.type !== "file") return;
    const slash = header.name.lastIndexOf("/");
    const directory = slash < 0 ? "" : header.name.slice(0, slash + 1);
    const filename = header.name.slice(slash + 1);
    const chunks: Buffer[] = [];
    await data(async (chunk) => {
      chunks.push(chunk);
    });
    try {
      find(root, directory).parse(filename, Buffer.concat(chunks).toString("utf8"));
    } catch (err) {
      throw new Error(`failed to parse ${JSON.stringify(header.name)}: ${(err as Error).message}`);
    }
  });
  return root;
}

/** Symlink targets' base names by link name (`8:0` to `sda`), from a .tar.gz of /sys/dev/block. */
export async function deviceNamesFromTarGz(source: AsyncIterable<Uint8Array>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await readTar(gunzipped(source), async (header) => {
    if (header.type !== "symlink") return;
    names.set(header.name, header.linkName.split("/").pop() ?? header.linkName);
  });
  return names;
}
