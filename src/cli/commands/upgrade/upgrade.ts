// talosctl upgrade: pulls the installer image on every node, runs it (LifecycleService), then
// reboots and follows each node until it is back, checking that it runs the new version (a
// node that fell back to its previous installation is reported, exit 1). Nodes without the
// current API, or --legacy/--stage/--preserve/--force, use MachineService.Upgrade. The
// Kubernetes drain talosctl runs by default before the reboot goes through the cluster's
// Kubernetes API: see ../reboot/drain.ts for what happens when that API cannot be reached.
import {
  type DrainedNodes,
  fanOut,
  type NodeClient,
  NodeError,
  openClient,
  parseVersion,
  throwIfAnyFailed,
} from "../../../client/index.js";
import {
  exitCodeMeaning,
  IMAGE_NAMESPACES,
  LegacyOnly,
  legacyUpgrade,
  parseImageNamespace,
  parseImageReference,
  parseRebootMode,
  pullImage,
  REBOOT_MODE_NAMES,
  reboot,
  runInstaller,
  speaksLifecycleApi,
  versionOfImage,
} from "../../../client/lifecycle/index.js";
import { TALOS_VERSION } from "../../../version.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, oneOf } from "../../flags.js";
import { progressFlag, runLifecycle, waitFlags, waitOptions } from "../../lifecycle.js";
import { renderTable } from "../../output/index.js";
import type { Progress } from "../../output/progress.js";
import { decideDrain, drain, drainFlags, uncordon } from "../reboot/drain.js";

export const DEFAULT_INSTALLER_IMAGE = `ghcr.io/siderolabs/installer:${TALOS_VERSION}`;

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...waitFlags,
    ...progressFlag,
    image: flag.string({
      short: "i",
      default: DEFAULT_INSTALLER_IMAGE,
      describe: "the container image to use for performing the install",
    }),
    namespace: flag.string({
      default: "system",
      choices: IMAGE_NAMESPACES,
      describe:
        'namespace to use: "system" (etcd and kubelet images), "cri" for all Kubernetes workloads, "inmem" for in-memory containerd instance',
    }),
    "reboot-mode": flag.string({
      short: "m",
      default: "default",
      choices: REBOOT_MODE_NAMES,
      validate: oneOf(REBOOT_MODE_NAMES),
      describe: `select the reboot mode during upgrade: ${REBOOT_MODE_NAMES.join(", ")}`,
    }),
    "no-reboot": flag.bool({ describe: "do not reboot the node after upgrade (skip reboot and drain)" }),
    ...drainFlags(true),
    legacy: flag.bool({ describe: "use the legacy upgrade API (MachineService.Upgrade)" }),
    stage: flag.bool({
      short: "s",
      describe: "stage the upgrade to perform it after a reboot (legacy API)",
    }),
    preserve: flag.bool({ short: "p", describe: "preserve data (legacy API)" }),
    force: flag.bool({ short: "f", describe: "skip the etcd health checks (legacy API)" }),
  },
  examples: [
    [
      "$0 -n 10.5.0.2 -i ghcr.io/siderolabs/installer:v1.15.0",
      "upgrade and wait until the node runs v1.15.0",
    ],
    ["$0 -n 10.5.0.2 -i ghcr.io/siderolabs/installer:v1.15.0 --no-reboot", "install now, reboot later"],
    [
      "$0 -n 10.5.0.2 -i ghcr.io/siderolabs/installer:v1.15.0 --legacy --stage",
      "stage through the legacy API",
    ],
  ],
  async handler({ flags, changed }, ctx: CliContext) {
    const image = parseImageReference(flags.image);
    // As talosctl: --legacy never looks at --namespace.
    const containerd = parseImageNamespace(flags.legacy ? "system" : flags.namespace);
    const rebootMode = parseRebootMode(flags["reboot-mode"], "-m, --reboot-mode");
    const wait = waitOptions(flags);
    const noReboot = flags["no-reboot"];
    const legacyOptions = {
      image: image.ref,
      stage: flags.stage,
      preserve: flags.preserve,
      force: flags.force,
      rebootMode,
    };
    const legacyAsked = flags.legacy || legacyOptions.stage || legacyOptions.preserve || legacyOptions.force;
    const expected = versionOfImage(image);

    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const before = await serverTags(client, nodes, ctx.signal);
      const legacy = new Set(
        legacyAsked ? nodes : nodes.filter((n) => !speaksLifecycleApi(before.get(n) ?? "")),
      );
      // The drain runs between the install and the reboot; it is decided first, so that a
      // drain that was asked for but cannot run changes nothing.
      // The legacy API drains on the node itself, as its upgrade sequence's drain phase, and
      // talosctl's fallback to it skips its own drain.
      const drains =
        !noReboot &&
        !legacyAsked &&
        legacy.size < nodes.length &&
        (await decideDrain(ctx, client, { drain: flags.drain, explicit: changed("drain"), verb: "upgrade" }));
      if (!legacyAsked && legacy.size > 0)
        ctx.stderr.write("New upgrade API is not available, falling back to legacy\n");

      let progress: Progress | undefined;
      const report = (node: string, message: string, transient = false): void => {
        if (progress) progress.update({ node, state: "running", message, transient, step: true });
        else if (!transient) ctx.stderr.write(`${node}: ${message}\n`);
      };
      const installerOutput = new Map<string, string>();
      const acks: string[][] = [];

      /** Pull and install; false when the node only speaks the legacy API. */
      const install = async (nc: NodeClient): Promise<boolean> => {
        try {
          report(nc.node, `pulling image ${image.ref}`);
          const name = await pullImage(nc, image.ref, {
            containerd,
            onProgress: (line) => report(nc.node, line, true),
          });
          report(nc.node, `pulled image ${name}`);
          const result = await runInstaller(nc, image.ref, containerd, (line) => report(nc.node, line, true));
          if (result.exitCode !== 0) {
            installerOutput.set(
              nc.node,
              (result.truncated ? "[earlier installer output truncated]\n" : "") + result.output,
            );
            throw new NodeError(
              nc.node,
              `node ${nc.node}: upgrade failed with exit code ${result.exitCode} (${exitCodeMeaning(result.exitCode)})`,
            );
          }
          report(nc.node, "upgrade completed");
          return true;
        } catch (err) {
          if (err instanceof LegacyOnly) {
            report(nc.node, "New upgrade API is not available, falling back to legacy");
            return false;
          }
          throw err;
        }
      };

      const start = async (nc: NodeClient): Promise<string> => {
        if (!legacy.has(nc.node) && (await install(nc))) {
          if (noReboot) return "";
          return reboot(nc, rebootMode);
        }
        const ack = await legacyUpgrade(nc, legacyOptions);
        acks.push([nc.node, ack.ack, ctx.now().toISOString()]);
        return ack.actorId;
      };

      const printInstallerOutput = (): void => {
        for (const [node, output] of installerOutput) {
          ctx.stderr.write(`${node}: installer output:\n${output.endsWith("\n") ? output : `${output}\n`}`);
        }
      };

      if (drains) {
        // As talosctl: every node is installed, then drained, then rebooted and followed (a
        // drain implies --wait), then uncordoned once back.
        const installed = new Set<string>();
        const results = await fanOut(
          nodes.filter((n) => !legacy.has(n)),
          async (node) => {
            if (await install(client.forNode(node))) installed.add(node);
          },
          { signal: ctx.signal },
        );
        printInstallerOutput();
        throwIfAnyFailed(results, (node, err) => `error executing upgrade on node ${node}: ${err.message}`);
        const flagsForRun = { ...wait, wait: true };
        const drained: DrainedNodes = await drain(
          ctx,
          client,
          nodes.filter((n) => installed.has(n)),
          flags["drain-timeout"],
          flagsForRun,
        );
        try {
          await runLifecycle(ctx, {
            verb: "upgrade",
            client,
            nodes,
            flags: flagsForRun,
            start: async (nc) => {
              if (installed.has(nc.node)) return reboot(nc, rebootMode);
              const ack = await legacyUpgrade(nc, legacyOptions);
              return ack.actorId;
            },
            predicate: "machine-ready",
            postCheck: "boot-id",
            sequences: ["upgrade", "reboot"],
            onProgress: (p) => {
              progress = p;
            },
            finalCheck: (nc) => checkVersion(nc, expected, before.get(nc.node)),
          });
        } finally {
          await uncordon(ctx, client, drained, flagsForRun);
        }
        return;
      }

      if (noReboot || !wait.wait) {
        const results = await fanOut(nodes, (node) => start(client.forNode(node)), { signal: ctx.signal });
        printInstallerOutput();
        if (acks.length > 0 && !wait.json) ctx.stdout.write(renderTable(["NODE", "ACK", "STARTED"], acks));
        throwIfAnyFailed(results, (node, err) => `error executing upgrade on node ${node}: ${err.message}`);
        return;
      }
      try {
        await runLifecycle(ctx, {
          verb: "upgrade",
          client,
          nodes,
          flags: wait,
          start,
          predicate: "machine-ready",
          postCheck: "boot-id",
          sequences: ["upgrade", "reboot"],
          onProgress: (p) => {
            progress = p;
          },
          finalCheck: (nc) => checkVersion(nc, expected, before.get(nc.node)),
        });
      } finally {
        printInstallerOutput();
      }
    } finally {
      client.close();
    }
  },
});

/** Every node's version before the upgrade (a node that cannot say fails the command). */
async function serverTags(
  client: ReturnType<typeof openClient>["client"],
  nodes: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const results = await fanOut(
    nodes,
    async (node) => (await client.forNode(node).machine.version({})).messages[0]?.version?.tag ?? "",
    { signal },
  );
  throwIfAnyFailed(results, (node, err) => `${node}: error getting server version: ${err.message}`);
  return new Map(results.map((r) => [r.node, r.ok ? r.value : ""]));
}

function sameVersion(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x !== undefined && y !== undefined ? a.replace(/^v/, "") === b.replace(/^v/, "") : a === b;
}

/** After the reboot: the version the node runs is the one the image carries, or it rolled back. */
async function checkVersion(
  nc: NodeClient,
  expected: string | undefined,
  before: string | undefined,
): Promise<string> {
  const reply = await nc.machine.version({});
  const tag = reply.messages[0]?.version?.tag ?? "";
  if (expected === undefined || sameVersion(tag, expected)) return `post check passed, running ${tag}`;
  if (before !== undefined && sameVersion(tag, before)) {
    throw new NodeError(
      nc.node,
      `rolled back: the node is running ${tag} again, not ${expected} (the upgraded system failed to boot)`,
    );
  }
  throw new NodeError(nc.node, `the node is running ${tag}, not ${expected}`);
}
