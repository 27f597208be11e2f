// talosctl memory (m, free): each node's memory in MiB as a table, or with -v its whole
// /proc/meminfo, key by key.
import { fanOut, openClient, throwIfAnyFailed } from "../../../client/index.js";
import type { MemInfo } from "../../../gen/machine/machine_pb.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, insecureFlags, outputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

type MemKey = Exclude<keyof MemInfo, "$typeName" | "$unknown">;

/** /proc/meminfo's order and names; the huge page counts carry no unit. */
const VERBOSE: readonly (readonly [string, MemKey, boolean])[] = [
  ["MemTotal", "memtotal", true],
  ["MemFree", "memfree", true],
  ["MemAvailable", "memavailable", true],
  ["Buffers", "buffers", true],
  ["Cached", "cached", true],
  ["SwapCached", "swapcached", true],
  ["Active", "active", true],
  ["Inactive", "inactive", true],
  ["ActiveAnon", "activeanon", true],
  ["InactiveAnon", "inactiveanon", true],
  ["ActiveFile", "activefile", true],
  ["InactiveFile", "inactivefile", true],
  ["Unevictable", "unevictable", true],
  ["Mlocked", "mlocked", true],
  ["SwapTotal", "swaptotal", true],
  ["SwapFree", "swapfree", true],
  ["Dirty", "dirty", true],
  ["Writeback", "writeback", true],
  ["AnonPages", "anonpages", true],
  ["Mapped", "mapped", true],
  ["Shmem", "shmem", true],
  ["Slab", "slab", true],
  ["SReclaimable", "sreclaimable", true],
  ["SUnreclaim", "sunreclaim", true],
  ["KernelStack", "kernelstack", true],
  ["PageTables", "pagetables", true],
  ["NFSUnstable", "nfsunstable", true],
  ["Bounce", "bounce", true],
  ["WritebackTmp", "writebacktmp", true],
  ["CommitLimit", "commitlimit", true],
  ["CommittedAS", "committedas", true],
  ["VmallocTotal", "vmalloctotal", true],
  ["VmallocUsed", "vmallocused", true],
  ["VmallocChunk", "vmallocchunk", true],
  ["HardwareCorrupted", "hardwarecorrupted", true],
  ["AnonHugePages", "anonhugepages", true],
  ["ShmemHugePages", "shmemhugepages", true],
  ["ShmemPmdMapped", "shmempmdmapped", true],
  ["CmaTotal", "cmatotal", true],
  ["CmaFree", "cmafree", true],
  ["HugePagesTotal", "hugepagestotal", false],
  ["HugePagesFree", "hugepagesfree", false],
  ["HugePagesRsvd", "hugepagesrsvd", false],
  ["HugePagesSurp", "hugepagessurp", false],
  ["Hugepagesize", "hugepagesize", true],
  ["DirectMap4k", "directmap4k", true],
  ["DirectMap2M", "directmap2m", true],
  ["DirectMap1G", "directmap1g", true],
];

const mib = (kb: bigint): string => String(kb / 1024n);

/** The table row of one node, in MiB; USED leaves out free memory, page cache and buffers. */
function memoryRow(node: string, m: MemInfo): string[] {
  const used = m.memtotal - m.memfree - m.cached - m.buffers;
  return [
    node,
    mib(m.memtotal),
    mib(used < 0n ? 0n : used),
    mib(m.memfree),
    mib(m.shmem),
    mib(m.buffers),
    mib(m.cached),
    mib(m.memavailable),
  ];
}

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...insecureFlags,
    ...outputFlag(FORMATS, "table"),
    verbose: flag.bool({ short: "v", describe: "display extended memory statistics" }),
  },
  examples: [
    ["$0", "memory of every node, in MiB"],
    ["$0 -v", "every /proc/meminfo value"],
    ["$0 -o json", "one JSON object per node with every meminfo value in kB"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const verbose = flags.verbose;
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const rows: string[][] = [];
      const results = await fanOut(
        nodes,
        async (node) => (await client.forNode(node).machine.memory({})).messages.map((m) => m.meminfo),
        {
          signal: ctx.signal,
          onResult: (r) => {
            if (!r.ok) {
              if (format.kind === "json")
                ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
              return;
            }
            for (const m of r.value) {
              if (!m) continue;
              if (format.kind === "json") {
                const kb: Record<string, number> = {};
                for (const [, key] of VERBOSE) kb[key] = Number(m[key]);
                ctx.stdout.write(`${JSON.stringify({ node: r.node, meminfo: kb })}\n`);
              } else if (verbose) {
                const lines = [
                  `NODE: ${r.node}`,
                  ...VERBOSE.map(([name, key, kb]) => `${name}: ${m[key]}${kb ? " kB" : ""}`),
                ];
                ctx.stdout.write(`${lines.join("\n")}\n`);
              } else {
                rows.push(memoryRow(r.node, m));
              }
            }
          },
        },
      );
      if (format.kind === "table" && !verbose && results.some((r) => r.ok)) {
        ctx.stdout.write(
          renderTable(["NODE", "TOTAL", "USED", "FREE", "SHARED", "BUFFERS", "CACHE", "AVAILABLE"], rows),
        );
      }
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
