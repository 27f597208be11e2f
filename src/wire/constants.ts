// Facts of the Talos wire protocol that talosctl and talos-node both need: ports, limits,
// metadata keys, and the names of namespaces and resource types both sides refer to. Each is
// written here once (Talos keeps them in siderolabs/talos: pkg/machinery/constants).

/** The port apid serves the machine API on. */
export const API_PORT = 50000;

/** The port trustd serves certificates on: the API port + 1. */
export const TRUSTD_PORT = API_PORT + 1;

/** The trustd port that goes with an API port (a node on another API port keeps the offset). */
export function trustdPortFor(apiPort: number): number {
  return apiPort + (TRUSTD_PORT - API_PORT);
}

/**
 * How long a new gRPC connection (TCP and TLS handshake) may take before its target counts as
 * unreachable: gRPC's minimum connect timeout, which talosctl and apid's proxy both dial with.
 */
export const CONNECT_TIMEOUT_MS = 20_000;

/**
 * Above this many nodes, an emulation (`talos-node --emulate`) spreads its nodes over one
 * process per CPU core unless told otherwise (`--processes`).
 */
export const EMULATION_SHARD_THRESHOLD = 64;

/** How many processes serve an emulation of `nodes` nodes by default on a machine with `cores` cores. */
export function emulationProcesses(nodes: number, cores: number): number {
  return nodes > EMULATION_SHARD_THRESHOLD ? Math.max(1, Math.min(cores, nodes)) : 1;
}

/** Largest gRPC message in either direction (Talos's GRPCMaxMessageSize, 32 MiB). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** gRPC metadata keys apid routes and authorises by. */
export const METADATA = {
  /** One target node (one-to-one routing). */
  node: "node",
  /** Several target nodes (deprecated one-to-many routing). */
  nodes: "nodes",
  /** The talosconfig context a call was made in. */
  context: "context",
  /** The client's runtime (`Talos`). */
  runtime: "runtime",
  /** Basic credentials for a maintenance-mode node that asks for them. */
  authorization: "authorization",
  /** Set by the node that forwarded a call: the call is served where it arrives. */
  proxyFrom: "proxyfrom",
  /** The roles of a forwarded call's original caller. */
  role: "talos-role",
} as const;

/** The type URL prefix of the events the machine API streams (`talos/runtime/machine.TaskEvent`). */
export const EVENT_TYPE_URL_PREFIX = "talos/runtime/";

/** Containerd namespace of Talos's system services. */
export const SYSTEM_NAMESPACE = "system";
/** Containerd namespace of Kubernetes' containers. */
export const KUBERNETES_NAMESPACE = "k8s.io";

/** COSI namespace of the resource definitions and namespaces themselves. */
export const META_NAMESPACE = "meta";
/** COSI type of resource definitions. */
export const RESOURCE_DEFINITION_TYPE = "ResourceDefinitions.meta.cosi.dev";
/** COSI namespace of the machine config. */
export const CONFIG_NAMESPACE = "config";
/** COSI type of the machine config. */
export const MACHINE_CONFIG_TYPE = "MachineConfigs.config.talos.dev";
/** The id of the active (running) machine config. */
export const ACTIVE_CONFIG_ID = "v1alpha1";
