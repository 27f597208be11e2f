// talosctl reset: wipes the nodes and powers them off (or reboots them with --reboot). On a
// terminal it asks first (unless --yes); a script must name the nodes with --nodes or pass
// --yes. META is kept unless named in --system-labels-to-wipe.
import net from "node:net";
import {
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
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, oneOf } from "../../flags.js";
import { guardDestructive, runLifecycle, waitFlags, waitOptions, yesFlag } from "../../lifecycle.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...waitFlags,
    ...yesFlag,
    graceful: flag.bool({
      default: true,
      describe: "if true, attempt to cordon/drain node and leave etcd (if applicable)",
    }),
    reboot: flag.bool({ describe: "if true, reboot the node after resetting instead of shutting down" }),
    "wipe-mode": flag.string({
      default: "all",
      choices: WIPE_MODE_NAMES,
      validate: oneOf(WIPE_MODE_NAMES),
      describe: `disk reset mode: ${WIPE_MODE_NAMES.join(", ")}`,
    }),
    "system-labels-to-wipe": flag.stringSlice({
      describe: `system volume labels to wipe (default ${DEFAULT_RESET_LABELS.join(",")}; META only when named)`,
    }),
    "user-disks-to-wipe": flag.stringSlice({ describe: "user disks to wipe (device paths)" }),
  },
  examples: [
    [
      "$0 -n 10.5.0.3",
      `wipe ${DEFAULT_RESET_LABELS.join(" and ")} and power off (asking first on a terminal)`,
    ],
    ["$0 -n 10.5.0.3 --reboot --yes", "wipe and boot again (into maintenance mode), do not ask"],
    ["$0 -n 10.5.0.3 --system-labels-to-wipe STATE,EPHEMERAL,META", "also wipe META"],
    ["$0 -n 10.5.0.3 --wipe-mode user-disks --user-disks-to-wipe /dev/sdb", "wipe only a user disk"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const wait = waitOptions(flags);
    const list = (values: readonly string[]) => values.map((v) => v.trim()).filter((v) => v !== "");
    const options: ResetOptions = {
      graceful: flags.graceful,
      reboot: flags.reboot,
      wipeMode: parseWipeMode(flags["wipe-mode"]),
      systemLabels: list(flags["system-labels-to-wipe"]),
      userDisks: list(flags["user-disks-to-wipe"]),
    };
    checkResetOptions(options);
    const connection = connectionOptions(flags);
    const { client, nodes } = openClient(connection, ctx);
    const maintenance = createTalosClient({
      endpoints: [],
      direct: true,
      tls: maintenanceCredentials([]),
      signal: ctx.signal,
    });
    try {
      await guardDestructive(
        ctx,
        { named: connection.nodes.length > 0, nodes, yes: flags.yes },
        "reset",
        "reset",
      );
      await runLifecycle(ctx, {
        verb: "reset",
        client,
        nodes,
        flags: wait,
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
