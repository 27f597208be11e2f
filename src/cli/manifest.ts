// The command tree: names, aliases, one-line descriptions and how to load each command.
// Command modules load lazily, so starting the CLI costs only what the chosen command needs.
import type { CommandModule } from "./command.js";

export type CommandGroup = "talos" | "mgmt" | "cluster" | "other";

export interface CommandEntry {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly describe: string;
  readonly group?: CommandGroup;
  readonly hidden?: boolean;
  /** Leaf commands load their module; groups have children instead. */
  readonly load?: () => Promise<{ command: CommandModule }>;
  readonly children?: readonly CommandEntry[];
}

export const GROUP_TITLES: Readonly<Record<CommandGroup, string>> = {
  talos: "Manage running Talos clusters:",
  mgmt: "Commands to generate and manage machine configuration offline:",
  cluster: "Local Talos cluster commands:",
  other: "Additional Commands:",
};

export const ROOT: CommandEntry = {
  name: "talosctl",
  describe: "A CLI for out-of-band management of Kubernetes nodes created by Talos",
  children: [
    {
      name: "apply-config",
      aliases: ["apply"],
      group: "talos",
      describe: "Apply a new configuration to a node",
      load: () => import("./commands/apply-config/apply-config.js"),
    },
    {
      name: "config",
      group: "talos",
      describe: "Manage the client configuration file (talosconfig)",
      children: [
        {
          name: "add",
          describe: "Add a new context",
          load: () => import("./commands/config/add.js"),
        },
        {
          name: "context",
          aliases: ["use-context"],
          describe: "Set the current context",
          load: () => import("./commands/config/context.js"),
        },
        {
          name: "contexts",
          aliases: ["get-contexts"],
          describe: "List defined contexts",
          load: () => import("./commands/config/contexts.js"),
        },
        {
          name: "endpoint",
          aliases: ["endpoints"],
          describe: "Set the endpoint(s) for the current context",
          load: () => import("./commands/config/endpoint.js"),
        },
        {
          name: "info",
          describe: "Show information about the current context",
          load: () => import("./commands/config/info.js"),
        },
        {
          name: "merge",
          describe: "Merge additional contexts from another client configuration file",
          load: () => import("./commands/config/merge.js"),
        },
        {
          name: "new",
          describe: "Generate a new client configuration file",
          load: () => import("./commands/config/new.js"),
        },
        {
          name: "node",
          aliases: ["nodes"],
          describe: "Set the node(s) for the current context",
          load: () => import("./commands/config/node.js"),
        },
        {
          name: "proxy-url",
          describe: "Show, set or clear the proxy URL of the current context",
          load: () => import("./commands/config/proxy-url.js"),
        },
        {
          name: "remove",
          describe: "Remove contexts",
          load: () => import("./commands/config/remove.js"),
        },
      ],
    },
    {
      name: "edit",
      group: "talos",
      describe: "Edit Talos node machine configuration with the default editor",
      load: () => import("./commands/edit/edit.js"),
    },
    {
      name: "get",
      aliases: ["g"],
      group: "talos",
      describe:
        "Get a specific resource or list of resources (use 'talosctl get rd' to see all available resource types)",
      load: () => import("./commands/get/get.js"),
    },
    {
      name: "patch",
      group: "talos",
      describe: "Patch machine configuration of a Talos node",
      load: () => import("./commands/patch/patch.js"),
    },
    {
      name: "dashboard",
      group: "talos",
      describe: "Cluster dashboard with node overview, logs and real-time metrics",
      load: () => import("./commands/dashboard/dashboard.js"),
    },
    {
      name: "containers",
      aliases: ["c"],
      group: "talos",
      describe: "List containers",
      load: () => import("./commands/containers/containers.js"),
    },
    {
      name: "copy",
      aliases: ["cp"],
      group: "talos",
      describe: "Copy data out from the node",
      load: () => import("./commands/copy/copy.js"),
    },
    {
      name: "crashdump",
      group: "talos",
      hidden: true,
      describe: "Dump debug information about the cluster",
      load: () => import("./commands/crashdump/crashdump.js"),
    },
    {
      name: "diskfree",
      aliases: ["df"],
      group: "talos",
      describe: "Show disk usage of the node's volumes",
      load: () => import("./commands/diskfree/diskfree.js"),
    },
    {
      name: "disks",
      group: "talos",
      hidden: true,
      describe: "Get the list of disks from /sys/block on the machine",
      load: () => import("./commands/disks/disks.js"),
    },
    {
      name: "dmesg",
      group: "talos",
      describe: "Retrieve kernel logs",
      load: () => import("./commands/dmesg/dmesg.js"),
    },
    {
      name: "events",
      group: "talos",
      describe: "Stream runtime events",
      load: () => import("./commands/events/events.js"),
    },
    {
      name: "inspect",
      group: "talos",
      describe: "Inspect internals of Talos",
      children: [
        {
          name: "dependencies",
          describe: "Inspect controller-resource dependencies as graphviz graph.",
          load: () => import("./commands/inspect/dependencies.js"),
        },
      ],
    },
    {
      name: "interfaces",
      group: "talos",
      hidden: true,
      describe: "List network interfaces",
      load: () => import("./commands/interfaces/interfaces.js"),
    },
    {
      name: "list",
      aliases: ["ls"],
      group: "talos",
      describe: "Retrieve a directory listing",
      load: () => import("./commands/list/list.js"),
    },
    {
      name: "logs",
      group: "talos",
      describe: "Retrieve logs for a service",
      load: () => import("./commands/logs/logs.js"),
    },
    {
      name: "memory",
      aliases: ["m", "free"],
      group: "talos",
      describe: "Show memory usage",
      load: () => import("./commands/memory/memory.js"),
    },
    {
      name: "mounts",
      aliases: ["mount"],
      group: "talos",
      describe: "List mounts",
      load: () => import("./commands/mounts/mounts.js"),
    },
    {
      name: "processes",
      aliases: ["p", "ps"],
      group: "talos",
      describe: "List running processes",
      load: () => import("./commands/processes/processes.js"),
    },
    {
      name: "read",
      aliases: ["cat"],
      group: "talos",
      describe: "Read a file on the machine",
      load: () => import("./commands/read/read.js"),
    },
    {
      name: "reboot",
      group: "talos",
      describe: "Reboot a node",
      load: () => import("./commands/reboot/reboot.js"),
    },
    {
      name: "reset",
      group: "talos",
      describe: "Reset a node",
      load: () => import("./commands/reset/reset.js"),
    },
    {
      name: "rollback",
      group: "talos",
      describe: "Rollback a node to the previous installation",
      load: () => import("./commands/rollback/rollback.js"),
    },
    {
      name: "rotate-ca",
      group: "talos",
      describe: "Rotate cluster CAs (Talos and Kubernetes APIs).",
      load: () => import("./commands/rotate-ca/rotate-ca.js"),
    },
    {
      name: "routes",
      aliases: ["route"],
      group: "talos",
      hidden: true,
      describe: "List network routes",
      load: () => import("./commands/routes/routes.js"),
    },
    {
      name: "service",
      aliases: ["services"],
      group: "talos",
      describe: "Retrieve the state of a service (or all services), control service state",
      load: () => import("./commands/service/service.js"),
    },
    {
      name: "shutdown",
      group: "talos",
      describe: "Shutdown a node",
      load: () => import("./commands/shutdown/shutdown.js"),
    },
    {
      name: "stats",
      group: "talos",
      describe: "Get container stats",
      load: () => import("./commands/stats/stats.js"),
    },
    {
      name: "time",
      group: "talos",
      describe: "Gets current server time",
      load: () => import("./commands/time/time.js"),
    },
    {
      name: "usage",
      aliases: ["du"],
      group: "talos",
      describe: "Retrieve a disk usage",
      load: () => import("./commands/usage/usage.js"),
    },
    {
      name: "upgrade",
      group: "talos",
      describe: "Upgrade Talos on the target node",
      load: () => import("./commands/upgrade/upgrade.js"),
    },
    {
      name: "upgrade-k8s",
      group: "talos",
      describe: "Upgrade Kubernetes control plane in the Talos cluster.",
      load: () => import("./commands/upgrade-k8s/upgrade-k8s.js"),
    },
    {
      name: "version",
      group: "talos",
      describe: "Prints the version",
      load: () => import("./commands/version/version.js"),
    },
    {
      name: "wipe",
      group: "talos",
      describe: "Wipe block device or volumes",
      children: [
        {
          name: "disk",
          describe: "Wipe a block device (disk or partition) which is not used as a volume",
          load: () => import("./commands/wipe/disk.js"),
        },
        {
          name: "lv",
          describe: "Remove an LVM logical volume",
          load: () => import("./commands/wipe/lv.js"),
        },
        {
          name: "md",
          describe: "Destroy an MD (software RAID) array",
          load: () => import("./commands/wipe/md.js"),
        },
        {
          name: "pv",
          describe: "Remove an LVM physical volume label",
          load: () => import("./commands/wipe/pv.js"),
        },
        {
          name: "vg",
          describe: "Remove an LVM volume group (cascades to its LVs)",
          load: () => import("./commands/wipe/vg.js"),
        },
      ],
    },
    {
      name: "gen",
      group: "mgmt",
      describe: "Generate CAs, certificates, and private keys",
      children: [
        {
          name: "ca",
          describe: "Generates a self-signed X.509 certificate authority",
          load: () => import("./commands/gen/ca.js"),
        },
        {
          name: "config",
          describe: "Generates a set of configuration files for Talos cluster",
          load: () => import("./commands/gen/config.js"),
        },
        {
          name: "crt",
          describe: "Generates an X.509 Ed25519 certificate",
          load: () => import("./commands/gen/crt.js"),
        },
        {
          name: "csr",
          describe: "Generates a CSR using an Ed25519 private key",
          load: () => import("./commands/gen/csr.js"),
        },
        {
          name: "key",
          describe: "Generates an Ed25519 private key",
          load: () => import("./commands/gen/key.js"),
        },
        {
          name: "keypair",
          describe: "Generates an X.509 Ed25519 key pair",
          load: () => import("./commands/gen/keypair.js"),
        },
        {
          name: "secrets",
          describe: "Generates a secrets bundle file which can later be used to generate a config",
          load: () => import("./commands/gen/secrets.js"),
        },
      ],
    },
    {
      name: "machineconfig",
      aliases: ["mc"],
      group: "mgmt",
      describe: "Machine config related commands",
      children: [
        {
          name: "diff",
          describe: "Show the per-document difference between two machine configs",
          load: () => import("./commands/machineconfig/diff.js"),
        },
        {
          name: "gen",
          describe: "Generates a set of configuration files for Talos cluster",
          load: () => import("./commands/machineconfig/gen.js"),
        },
        {
          name: "patch",
          describe: "Patch a machine config",
          load: () => import("./commands/machineconfig/patch.js"),
        },
      ],
    },
    {
      name: "bootstrap",
      group: "talos",
      describe: "Bootstrap the etcd cluster on the specified node",
      load: () => import("./commands/bootstrap/bootstrap.js"),
    },
    {
      name: "etcd",
      group: "talos",
      describe: "Manage etcd",
      children: [
        {
          name: "alarm",
          describe: "Manage etcd alarms",
          children: [
            {
              name: "disarm",
              describe: "Disarm the etcd alarms for the node.",
              load: () => import("./commands/etcd/alarm-disarm.js"),
            },
            {
              name: "list",
              describe: "List the etcd alarms for the node.",
              load: () => import("./commands/etcd/alarm-list.js"),
            },
          ],
        },
        {
          name: "defrag",
          describe: "Defragment etcd database on the node",
          load: () => import("./commands/etcd/defrag.js"),
        },
        {
          name: "downgrade",
          describe: "Manage etcd storage system downgrades",
          children: [
            {
              name: "cancel",
              describe: "Cancel etcd storage system downgrade.",
              load: () => import("./commands/etcd/downgrade-cancel.js"),
            },
            {
              name: "enable",
              describe: "Enable etcd storage system downgrade to the specified version.",
              load: () => import("./commands/etcd/downgrade-enable.js"),
            },
            {
              name: "validate",
              describe: "Validate if the etcd storage system can be downgraded to the specified version.",
              load: () => import("./commands/etcd/downgrade-validate.js"),
            },
          ],
        },
        {
          name: "forfeit-leadership",
          describe: "Tell a node to forfeit etcd cluster leadership",
          load: () => import("./commands/etcd/forfeit-leadership.js"),
        },
        {
          name: "leave",
          describe: "Tell a node to leave etcd cluster",
          load: () => import("./commands/etcd/leave.js"),
        },
        {
          name: "members",
          describe: "Get the list of etcd cluster members",
          load: () => import("./commands/etcd/members.js"),
        },
        {
          name: "remove-member",
          describe: "Remove the node from etcd cluster",
          load: () => import("./commands/etcd/remove-member.js"),
        },
        {
          name: "snapshot",
          describe: "Stream snapshot of the etcd node to the path.",
          load: () => import("./commands/etcd/snapshot.js"),
        },
        {
          name: "status",
          describe: "Get the status of etcd cluster member",
          load: () => import("./commands/etcd/status.js"),
        },
      ],
    },
    {
      name: "support",
      group: "talos",
      describe: "Dump debug information about the cluster",
      load: () => import("./commands/support/support.js"),
    },
    {
      name: "health",
      group: "talos",
      describe: "Check cluster health",
      load: () => import("./commands/health/health.js"),
    },
    {
      name: "kubeconfig",
      group: "talos",
      describe: "Download the admin kubeconfig from the node",
      load: () => import("./commands/kubeconfig/kubeconfig.js"),
    },
    {
      name: "cluster",
      group: "cluster",
      describe: "A collection of commands for managing local clusters",
      children: [
        {
          name: "create",
          describe: "Creates a local cluster of talos-node processes",
          load: () => import("./commands/cluster/create.js"),
        },
        {
          name: "destroy",
          describe: "Destroys a local cluster",
          load: () => import("./commands/cluster/destroy.js"),
        },
        {
          name: "show",
          describe: "Shows info about a local cluster",
          load: () => import("./commands/cluster/show.js"),
        },
      ],
    },
    {
      name: "validate",
      group: "mgmt",
      describe: "Validate config",
      load: () => import("./commands/validate/validate.js"),
    },
    {
      name: "meta",
      group: "talos",
      describe: "Write and delete keys in the META partition",
      children: [
        {
          name: "delete",
          describe: "Delete a key from the META partition.",
          load: () => import("./commands/meta/delete.js"),
        },
        {
          name: "write",
          describe: "Write a key-value pair to the META partition.",
          load: () => import("./commands/meta/write.js"),
        },
      ],
    },
    {
      name: "restart",
      group: "talos",
      describe: "Restart a process",
      load: () => import("./commands/restart/restart.js"),
    },
    {
      name: "completion",
      group: "other",
      describe: "Generate the autocompletion script for the specified shell",
      load: () => import("./commands/completion/completion.js"),
    },
  ],
};

/** Finds a child by name or alias. */
export function findChild(entry: CommandEntry, word: string): CommandEntry | undefined {
  return entry.children?.find((c) => c.name === word || (c.aliases ?? []).includes(word));
}
