// talosctl pcap (tcpdump): captures packets on one node's interface and either prints each as
// gopacket decodes it, or writes the raw pcap stream to a file (`-` for stdout).
import fs from "node:fs";
import path from "node:path";
import { openClient, requireOneNode, toRpcError, writeWithBackpressure } from "../../../client/index.js";
import {
  FilterError,
  PcapFormatError,
  PcapReader,
  packetString,
  parseBpfFilter,
} from "../../../client/pcap/index.js";
import { UserError } from "../../../errors.js";
import { API_PORT } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  long: "The command launches packet capture on the node and streams back the packets as raw pcap file.",
  args: args.none,
  flags: {
    ...connectionFlags,
    interface: flag.string({ short: "i", default: "eth0", describe: "interface name to capture packets on" }),
    promiscuous: flag.bool({ describe: "put interface into promiscuous mode" }),
    snaplen: flag.int({
      short: "s",
      default: 4096,
      describe: "maximum packet size to capture",
      deprecated: "support of snap length is removed",
    }),
    output: flag.string({
      short: "o",
      describe:
        "if not set, decode packets to stdout; if set write raw pcap data to a file, use '-' for stdout",
    }),
    "bpf-filter": flag.string({
      describe: `bpf filter to apply, tcpdump -dd format (or an expression such as 'tcp and not port ${API_PORT}', compiled here)`,
    }),
    duration: flag.duration({ default: "0s", describe: "duration of the capture" }),
  },
  examples: [
    ["$0 -i eth0", "decode the packets to stdout"],
    ["$0 -i eth0 --output eth0.pcap", "save a raw pcap file"],
    ["$0 -i eth0 -o - | tcpdump -vvv -r -", "pipe to tcpdump"],
    ["$0 -i eth0 --bpf-filter \"$(tcpdump -dd -y EN10MB 'tcp and dst port 80')\"", "a compiled BPF filter"],
    [`$0 -i lo --bpf-filter 'tcp and not port ${API_PORT}' --duration 10s`, "an expression, for ten seconds"],
  ],
  async handler({ flags }, ctx: CliContext) {
    let bpfFilter: ReturnType<typeof parseBpfFilter>;
    try {
      bpfFilter = parseBpfFilter(flags["bpf-filter"]);
    } catch (err) {
      if (err instanceof FilterError) throw new UserError(err.message, { cause: err });
      throw err;
    }
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    const stop = new AbortController();
    const timer =
      flags.duration > 0n ? setTimeout(() => stop.abort(), Number(flags.duration / 1_000_000n)) : undefined;
    const signal = AbortSignal.any([ctx.signal, stop.signal]);
    try {
      const node = requireOneNode("pcap", nodes);
      const stream = client
        .forNode(node)
        .machine.packetCapture(
          { interface: flags.interface, promiscuous: flags.promiscuous, bpfFilter: [...bpfFilter] },
          { signal },
        );
      const output = flags.output;
      if (output === "") await decode(ctx, stream, signal);
      else await save(ctx, stream, output, signal);
    } catch (err) {
      // The end of --duration, or Ctrl+C, ends the capture; what came before is kept.
      if (signal.aborted) return;
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
      client.close();
    }
  },
});

type DataStream = AsyncIterable<{ bytes: Uint8Array }>;

async function decode(ctx: CliContext, stream: DataStream, signal: AbortSignal): Promise<void> {
  const reader = new PcapReader();
  try {
    for await (const data of stream) {
      for (const packet of reader.push(data.bytes)) {
        const header = reader.header!;
        await writeWithBackpressure(
          ctx.stdout,
          `${packetString(packet, header.linkType, header.nanos)}\n`,
          signal,
        );
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    if (err instanceof PcapFormatError)
      throw new UserError(`error opening pcap reader: ${err.message}`, { cause: err });
    const rpc = toRpcError(err, signal.aborted);
    throw new UserError(reader.header ? rpc.message : `error opening pcap reader: ${rpc.message}`, {
      cause: err,
    });
  }
}

/** Raw pcap bytes to stdout (`-`) or a file, created once the node has started the capture. */
async function save(ctx: CliContext, stream: DataStream, output: string, signal: AbortSignal): Promise<void> {
  const toStdout = output === "-";
  const file = toStdout ? undefined : path.resolve(ctx.cwd, output);
  let fd: number | undefined;
  try {
    for await (const data of stream) {
      if (data.bytes.length === 0) continue;
      if (toStdout) {
        await writeWithBackpressure(ctx.stdout, data.bytes, signal);
        continue;
      }
      if (fd === undefined) {
        try {
          fd = fs.openSync(file!, "w", 0o644);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          const why =
            code === "ENOENT"
              ? "no such file or directory"
              : code === "EACCES"
                ? "permission denied"
                : code === "EISDIR"
                  ? "is a directory"
                  : String(err);
          throw new UserError(`open ${output}: ${why}`, { cause: err });
        }
      }
      fs.writeSync(fd, data.bytes);
    }
  } catch (err) {
    if (signal.aborted || err instanceof UserError) throw err;
    throw new UserError(toRpcError(err, signal.aborted).message, { cause: err });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
