// talos-node's command line: flags, defaults and the one-line errors for bad values.
import { isIP } from "node:net";
import { UserError } from "../errors.js";
import { TALOS_VERSION } from "../version.js";
import { API_PORT, EMULATION_SHARD_THRESHOLD, parseGoDuration } from "../wire/index.js";
import { MAX_TIME_SCALE } from "./clock.js";
import { type CatalogImage, loadCatalog } from "./images/index.js";
import { type BurstSpec, parseBurst } from "./machine/test-burst.js";
import {
  DEFAULT_DISK,
  type Disk,
  loadStorageLayout,
  PLATFORMS,
  type PlatformFlag,
  parseDiskFlag,
  type StorageState,
} from "./platform/index.js";

export const DEFAULT_LISTEN = `0.0.0.0:${API_PORT}`;

export interface NodeOptions {
  readonly stateDir: string;
  /** Host to bind (an IP address or `localhost`). */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  readonly hostname?: string;
  readonly platform: PlatformFlag;
  readonly disks: readonly Disk[];
  /** The tags of the virtiofs shares the host exports to the machine (`--virtiofs TAG`). */
  readonly virtiofs?: readonly string[];
  readonly talosVersion: string;
  readonly timeScale: number;
  /** Where cluster discovery registries live (nodes of one cluster must share it). */
  readonly discoveryDir?: string;
  /** Machine milliseconds a lifecycle reboot keeps the node down (default 2 s). */
  readonly downtimeMs?: number;
  /** Installer images from --image-catalog (default: Talos releases up to the node's version). */
  readonly catalog?: readonly CatalogImage[];
  /** What the extra disks hold at the first boot (`--storage FILE`): partitions, LVM, md arrays. */
  readonly storage?: StorageState;
  /** Test and benchmark aid: bursts produced each time the process receives SIGUSR2. */
  readonly testBursts?: readonly BurstSpec[];
  /** `--emulate N --cidr C`: N nodes in this process, at C's .2, .3, ... (all on `port`). */
  readonly emulate?: EmulateSpec;
}

export interface EmulateSpec {
  /** How many nodes. */
  readonly count: number;
  /** The CIDR as given. */
  readonly cidr: string;
  /** The nodes' addresses, in order. */
  readonly addresses: readonly string[];
  /** `--hostnames`: the nodes' hostnames, one per address, in the same order. */
  readonly hostnames?: readonly string[];
  /** `--processes`: how many processes serve the nodes (absent: chosen by size and cores). */
  readonly processes?: number;
  /** Internal: this process serves shard `index` of `count` (started by the first process). */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** Most nodes one process emulates. */
export const MAX_EMULATED_NODES = 4096;

export const USAGE = `Usage: talos-node --state-dir DIR [flags]

An emulated Talos node serving the Talos machine API.

Flags:
  --state-dir DIR          where the node keeps its machine config and identity (required)
  --listen HOST:PORT       API address (default ${DEFAULT_LISTEN}; port 0 picks a free port)
  --hostname NAME          hostname when the machine config sets none
  --platform MODE          metal, container or cloud (default metal)
  --disk PATH:SIZE         a disk, e.g. /dev/sda:10GiB (repeatable; default ${DEFAULT_DISK} except in container mode)
  --virtiofs TAG           a virtiofs share the host exports under TAG, which ExternalVolumeConfig
                           documents mount (repeatable)
  --talos-version VERSION  Talos version to report (default ${TALOS_VERSION})
  --time-scale N           run the machine's timers N times faster (default 1)
  --discovery-dir DIR      the cluster discovery registry shared by the nodes of a cluster
                           (default: talos-node-discovery under the system temp directory)
  --downtime DURATION      how long a reboot keeps the node down, e.g. 2s or 500ms (default 2s;
                           divided by --time-scale like every machine timer)
  --storage FILE           YAML of what the extra disks hold at the first boot: partitions
                           ({/dev/sdb: [{size, filesystem, mountedOn}]}), lvm ([{vg, pvs, lvs:
                           [{name, size, mountedOn}]}]) and md ([{name, level, members,
                           mountedOn}]); kept in STATE afterwards
  --image-catalog FILE     YAML list of {ref, version, failBoot, failInstall} installer images
                           the node can pull (default: ghcr.io/siderolabs/installer tags v1.12.0
                           up to --talos-version)
  --emulate N              run N nodes in this process, at the --cidr network's .2, .3, ...; each
                           keeps its STATE in <state-dir>/<address>/ (needs --cidr; not with --listen)
  --cidr CIDR              IPv4 network of the emulated nodes, e.g. 127.0.10.0/24
  --port PORT              API port of every emulated node (default ${API_PORT})
  --hostnames A,B,...      hostnames of the emulated nodes, one per node in address order
  --processes N            spread the emulated nodes over N processes (default: one per CPU
                           core above ${EMULATION_SHARD_THRESHOLD} nodes, else 1); the first process starts
                           the others and stops them when it stops
  -h, --help               show this help

Test and benchmark aids (not for real use):
  --test-burst SPEC        on every SIGUSR2, publish numbered entries stamped with the time
                           they were produced: events:COUNT[:PER_SECOND] into the event ring,
                           log:SERVICE:COUNT[:PER_SECOND] into a service's log (repeatable);
                           a paced SPEC ending in :wait holds back while a follower that is
                           still reading lags more than half the ring
`;

export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly options: NodeOptions };

const VALUE_FLAGS = new Set([
  "state-dir",
  "listen",
  "hostname",
  "platform",
  "disk",
  "virtiofs",
  "talos-version",
  "time-scale",
  "discovery-dir",
  "downtime",
  "image-catalog",
  "storage",
  "test-burst",
  "emulate",
  "cidr",
  "port",
  "hostnames",
  "processes",
  "emulate-shard",
]);

/** Splits `HOST:PORT` (`[::1]:PORT` for IPv6). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const host = m ? (m[1] ?? m[2] ?? "") : "";
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || host === "" || !(port >= 0 && port <= 65535) || (isIP(host) === 0 && host !== "localhost")) {
    throw new UserError(
      `--listen ${JSON.stringify(value)}: expected HOST:PORT with an IP address, e.g. ${DEFAULT_LISTEN}`,
    );
  }
  return { host, port };
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const VERSION = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export function parseNodeArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return { help: true };
    if (!arg.startsWith("--")) throw new UserError(`unexpected argument ${JSON.stringify(arg)} (see --help)`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    if (!VALUE_FLAGS.has(name)) throw new UserError(`unknown flag: --${name} (see --help)`);
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--"))
        throw new UserError(`flag needs an argument: --${name}`);
      value = next;
      i++;
    }
    if (name !== "disk" && name !== "virtiofs" && name !== "test-burst" && values.has(name))
      throw new UserError(`--${name} was given more than once`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const one = (name: string): string | undefined => values.get(name)?.[0];

  const stateDir = one("state-dir");
  if (stateDir === undefined || stateDir === "") throw new UserError("--state-dir is required (see --help)");
  const emulated = parseEmulate(one("emulate"), one("cidr"), one("listen"));
  const hostnamesText = one("hostnames");
  if (hostnamesText !== undefined && !emulated)
    throw new UserError("--hostnames is only used with --emulate");
  const processes = parseProcesses(one("processes"), one("emulate-shard"), emulated);
  const emulate = emulated && {
    ...emulated,
    ...(hostnamesText !== undefined ? { hostnames: parseHostnames(hostnamesText, emulated.count) } : {}),
    ...processes,
  };
  const { host, port } = emulate
    ? { host: emulate.addresses[0]!, port: parsePort(one("port") ?? String(API_PORT)) }
    : parseListen(one("listen") ?? DEFAULT_LISTEN);
  if (!emulate && one("port") !== undefined) throw new UserError("--port is only used with --emulate");

  const hostname = one("hostname");
  if (hostname !== undefined && emulate) {
    throw new UserError("--hostname cannot be used with --emulate: every emulated node has its own hostname");
  }
  if (hostname !== undefined && !HOSTNAME.test(hostname)) {
    throw new UserError(`--hostname ${JSON.stringify(hostname)}: not a valid hostname`);
  }

  const platformText = one("platform") ?? "metal";
  const platform = PLATFORMS.find((p) => p === platformText);
  if (platform === undefined) {
    throw new UserError(
      `--platform ${JSON.stringify(platformText)}: expected one of ${PLATFORMS.join(", ")}`,
    );
  }

  const diskFlags = values.get("disk") ?? (platform === "container" ? [] : [DEFAULT_DISK]);
  const disks = diskFlags.map((d, i) => parseDiskFlag(d, i));
  const seen = new Set<string>();
  for (const d of disks) {
    if (seen.has(d.devPath)) throw new UserError(`--disk ${d.devPath} was given more than once`);
    seen.add(d.devPath);
  }

  const virtiofs = values.get("virtiofs") ?? [];
  for (const [i, tag] of virtiofs.entries()) {
    // A tag is at most 36 bytes (virtio-fs config space) and names one share.
    if (!/^[^\s,]{1,36}$/.test(tag))
      throw new UserError(`--virtiofs ${JSON.stringify(tag)}: expected a tag of 1 to 36 characters`);
    if (virtiofs.indexOf(tag) !== i) throw new UserError(`--virtiofs ${tag} was given more than once`);
  }

  const talosVersion = one("talos-version") ?? TALOS_VERSION;
  if (!VERSION.test(talosVersion)) {
    throw new UserError(
      `--talos-version ${JSON.stringify(talosVersion)}: expected vX.Y.Z, e.g. ${TALOS_VERSION}`,
    );
  }

  const scaleText = one("time-scale") ?? "1";
  const timeScale = Number(scaleText);
  if (!/^\d+(\.\d+)?$/.test(scaleText) || !(timeScale > 0) || timeScale > MAX_TIME_SCALE) {
    throw new UserError(
      `--time-scale ${JSON.stringify(scaleText)}: expected a number in (0, ${MAX_TIME_SCALE}]`,
    );
  }

  const discoveryDir = one("discovery-dir");
  if (discoveryDir === "") throw new UserError("--discovery-dir: expected a directory");
  const downtimeText = one("downtime");
  let downtimeMs: number | undefined;
  if (downtimeText !== undefined) {
    try {
      downtimeMs = Number(parseGoDuration(downtimeText) / 1_000_000n);
    } catch {
      downtimeMs = undefined;
    }
    if (downtimeMs === undefined || downtimeMs < 0) {
      throw new UserError(
        `--downtime ${JSON.stringify(downtimeText)}: expected a duration such as 2s or 500ms`,
      );
    }
  }

  const storageFile = one("storage");
  const storage = storageFile !== undefined ? loadStorageLayout(storageFile, disks) : undefined;

  const catalogFile = one("image-catalog");
  const catalog = catalogFile !== undefined ? loadCatalog(catalogFile) : undefined;

  const testBursts = (values.get("test-burst") ?? []).map((text) => {
    const spec = parseBurst(text);
    if (!spec) {
      throw new UserError(
        `--test-burst ${JSON.stringify(text)}: expected events:COUNT[:PER_SECOND[:wait]] or log:SERVICE:COUNT[:PER_SECOND[:wait]]`,
      );
    }
    return spec;
  });

  return {
    help: false,
    options: {
      ...(testBursts.length > 0 ? { testBursts } : {}),
      ...(discoveryDir !== undefined ? { discoveryDir } : {}),
      ...(emulate ? { emulate } : {}),
      stateDir,
      host,
      port,
      ...(hostname !== undefined ? { hostname: hostname.toLowerCase() } : {}),
      platform,
      disks,
      ...(virtiofs.length > 0 ? { virtiofs } : {}),
      talosVersion,
      timeScale,
      ...(downtimeMs !== undefined ? { downtimeMs } : {}),
      ...(catalog !== undefined ? { catalog } : {}),
      ...(storage !== undefined ? { storage } : {}),
    },
  };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw new UserError(`--port ${JSON.stringify(text)}: expected a port number in [0, 65535]`);
  }
  return port;
}

/** Reads --hostnames: exactly `count` distinct valid hostnames, comma-separated. */
function parseHostnames(text: string, count: number): string[] {
  const names = text.split(",").map((n) => n.trim().toLowerCase());
  if (names.length !== count) {
    throw new UserError(
      `--hostnames: expected ${count} hostnames (one per emulated node), got ${names.length}`,
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!HOSTNAME.test(name))
      throw new UserError(`--hostnames: ${JSON.stringify(name)} is not a valid hostname`);
    if (seen.has(name)) throw new UserError(`--hostnames: ${JSON.stringify(name)} was given more than once`);
    seen.add(name);
  }
  return names;
}

/** Reads --processes and the internal --emulate-shard I/N. */
function parseProcesses(
  processesText: string | undefined,
  shardText: string | undefined,
  emulated: EmulateSpec | undefined,
): { processes?: number; shard?: { index: number; count: number } } {
  if (!emulated) {
    if (processesText !== undefined) throw new UserError("--processes is only used with --emulate");
    if (shardText !== undefined) throw new UserError("--emulate-shard is only used with --emulate");
    return {};
  }
  const out: { processes?: number; shard?: { index: number; count: number } } = {};
  if (processesText !== undefined) {
    const n = Number(processesText);
    if (!/^\d+$/.test(processesText) || n < 1 || n > emulated.count) {
      throw new UserError(
        `--processes ${JSON.stringify(processesText)}: expected a number of processes in [1, ${emulated.count}] (at most one per node)`,
      );
    }
    out.processes = n;
  }
  if (shardText !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shardText);
    const index = m ? Number(m[1]) : Number.NaN;
    const count = m ? Number(m[2]) : Number.NaN;
    if (!m || !(count >= 1 && count <= emulated.count) || !(index >= 0 && index < count)) {
      throw new UserError(`--emulate-shard ${JSON.stringify(shardText)}: expected INDEX/COUNT, e.g. 1/2`);
    }
    out.shard = { index, count };
  }
  return out;
}

/** Reads --emulate and --cidr (both or neither) into the list of node addresses. */
export function parseEmulate(
  countText: string | undefined,
  cidrText: string | undefined,
  listen: string | undefined,
): EmulateSpec | undefined {
  if (countText === undefined) {
    if (cidrText !== undefined) throw new UserError("--cidr is only used with --emulate");
    return undefined;
  }
  const count = Number(countText);
  if (!/^\d+$/.test(countText) || count < 1 || count > MAX_EMULATED_NODES) {
    throw new UserError(
      `--emulate ${JSON.stringify(countText)}: expected a number of nodes in [1, ${MAX_EMULATED_NODES}]`,
    );
  }
  if (listen !== undefined) {
    throw new UserError(
      "--listen cannot be used with --emulate: each node listens on its own address (--port)",
    );
  }
  if (cidrText === undefined) throw new UserError("--emulate needs --cidr, e.g. --cidr 127.0.10.0/24");
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidrText);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : Number.NaN;
  if (!m || octets.some((o) => o > 255) || !(prefix >= 8 && prefix <= 30)) {
    throw new UserError(
      `--cidr ${JSON.stringify(cidrText)}: expected an IPv4 network with a prefix length in [8, 30], e.g. 127.0.10.0/24`,
    );
  }
  const size = 2 ** (32 - prefix);
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const base = value - (value % size);
  // .0 is the network, .1 the gateway, the last one broadcast: nodes take .2 onwards.
  const usable = size - 3;
  if (count > usable) {
    throw new UserError(`--cidr ${cidrText} has room for ${usable} nodes (from .2), not ${count}`);
  }
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = base + 2 + i;
    addresses.push([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."));
  }
  return { count, cidr: cidrText, addresses };
}
