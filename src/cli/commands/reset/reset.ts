// talosctl reset: wipes the nodes and powers them off (or reboots them with --reboot). Only
// nodes named with --nodes, only once confirmed; META is kept unless named in
// --system-labels-to-wipe.
import net from "node:net";
import type { Argv } from "yargs";
import {
  connectionFlagsFrom,
  createTalosClient,
  maintenanceCredentials,
  openClient,
  parseEndpoint,
  type TalosClient,
} from "../../../client/index.js";
import {
  checkResetOptions,
  DEFAULT_RESET_LABELS,
  parseWipeMode,
  type ResetOptions,
  reset,
  WIPE_MODE_NAMES,
} from "../../../client/lifecycle/index.js";
import { StorageService } from "../../../gen/storage/storage_pb.js";
import { bool, defineCommand, slice, str } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";
import {
  guardDestructive,
  runLifecycle,
  waitFlagsFrom,
  withWaitFlags,
  withYesFlag,
} from "../../lifecycle.js";

export const command = defineCommand({
  examples: [
    ["$0 -n 10.5.0.3", `wipe ${DEFAULT_RESET_LABELS.join(" and ")} and power off, after confirming`],
    ["$0 -n 10.5.0.3 --reboot --yes", "wipe and boot again (into maintenance mode)"],
    ["$0 -n 10.5.0.3 --system-labels-to-wipe STATE,EPHEMERAL,META", "also wipe META"],
    ["$0 -n 10.5.0.3 --wipe-mode user-disks --user-disks-to-wipe /dev/sdb", "wipe only a user disk"],
  ],
  completeOption: { "wipe-mode": () => [...WIPE_MODE_NAMES] },
  builder: (y: Argv) =>
    withYesFlag(withWaitFlags(withConnectionFlags(y), { progress: false }))
      .option("graceful", {
        type: "boolean",
        default: true,
        describe: "if true, attempt to cordon/drain node and leave etcd (if applicable)",
      })
      .option("reboot", {
        type: "boolean",
        default: false,
        describe: "if true, reboot the node after resetting instead of shutting down",
      })
      .option("wipe-mode", {
        type: "string",
        default: "all",
        describe: `disk reset mode: ${WIPE_MODE_NAMES.join(", ")}`,
      })
      .option("system-labels-to-wipe", {
        type: "string",
        array: true,
        describe: `system volume labels to wipe (default ${DEFAULT_RESET_LABELS.join(",")}; META only when named)`,
      })
      .option("user-disks-to-wipe", {
        type: "string",
        array: true,
        describe: "user disks to wipe (device paths)",
      }),
  async handler(args, ctx: CliContext) {
    const flags = waitFlagsFrom(args);
    const options: ResetOptions = {
      graceful: args.graceful !== false,
      reboot: bool(args, "reboot"),
      wipeMode: parseWipeMode(str(args, "wipe-mode") ?? "all"),
      systemLabels: slice(args, "system-labels-to-wipe"),
      userDisks: slice(args, "user-disks-to-wipe"),
    };
    checkResetOptions(options);
    await guardDestructive(ctx, args, "reset", "reset");
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
    const maintenance = createTalosClient({
      endpoints: [],
      direct: true,
      tls: maintenanceCredentials([]),
      signal: ctx.signal,
    });
    try {
      await runLifecycle(ctx, {
        verb: "reset",
        client,
        nodes,
        flags,
        start: (node) => reset(node, options),
        predicate: "services-stopped",
        postCheck: options.reboot ? "maintenance-or-boot-id" : "none",
        sequences: ["reset"],
        maintenanceProbe: (node, signal) => answersInMaintenance(maintenance, client, node, signal),
      });
    } finally {
      client.close();
      maintenance.close();
    }
  },
});

/** The node's own API address: its name with the endpoint's port when it is the endpoint. */
function apiAddress(client: TalosClient, node: string): string {
  if (!net.isIPv6(node) && /:\d+$/.test(node)) return node;
  const target = parseEndpoint(node);
  const endpoint = client.endpoints.map((e) => parseEndpoint(e)).find((e) => e.host === target.host);
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  return `${host}:${endpoint?.port ?? target.port}`;
}

/** A node back in maintenance mode lists its disks to a client without a certificate. */
async function answersInMaintenance(
  maintenance: TalosClient,
  client: TalosClient,
  node: string,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    await maintenance
      .forNode(apiAddress(client, node))
      .service(StorageService)
      .disks({}, { signal, timeoutMs: 5_000 });
    return true;
  } catch {
    return false;
  }
}
