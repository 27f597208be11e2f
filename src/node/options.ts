// talos-node's command line: flags, defaults and the one-line errors for bad values.
import { isIP } from "node:net";
import { UserError } from "../errors.js";
import { TALOS_VERSION } from "../version.js";
import { MAX_TIME_SCALE } from "./clock.js";
import { type BurstSpec, parseBurst } from "./machine/test-burst.js";
import { DEFAULT_DISK, type Disk, PLATFORMS, type PlatformFlag, parseDiskFlag } from "./platform/index.js";

export const DEFAULT_LISTEN = "0.0.0.0:50000";

export interface NodeOptions {
  readonly stateDir: string;
  /** Host to bind (an IP address or `localhost`). */
  readonly host: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  readonly hostname?: string;
  readonly platform: PlatformFlag;
  readonly disks: readonly Disk[];
  readonly talosVersion: string;
  readonly timeScale: number;
  /** Where cluster discovery registries live (nodes of one cluster must share it). */
  readonly discoveryDir?: string;
  /** Test and benchmark aid: bursts produced each time the process receives SIGUSR2. */
  readonly testBursts?: readonly BurstSpec[];
}

export const USAGE = `Usage: talos-node --state-dir DIR [flags]

An emulated Talos node serving the Talos machine API.

Flags:
  --state-dir DIR          where the node keeps its machine config and identity (required)
  --listen HOST:PORT       API address (default ${DEFAULT_LISTEN}; port 0 picks a free port)
  --hostname NAME          hostname when the machine config sets none
  --platform MODE          metal, container or cloud (default metal)
  --disk PATH:SIZE         a disk, e.g. /dev/sda:10GiB (repeatable; default ${DEFAULT_DISK} except in container mode)
  --talos-version VERSION  Talos version to report (default ${TALOS_VERSION})
  --time-scale N           run the machine's timers N times faster (default 1)
  --discovery-dir DIR      the cluster discovery registry shared by the nodes of a cluster
                           (default: talos-node-discovery under the system temp directory)
  -h, --help               show this help

Test and benchmark aids (not for real use):
  --test-burst SPEC        on every SIGUSR2, publish numbered entries stamped with the time
                           they were produced: events:COUNT[:PER_SECOND] into the event ring,
                           log:SERVICE:COUNT[:PER_SECOND] into a service's log (repeatable)
`;

export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly options: NodeOptions };

const VALUE_FLAGS = new Set([
  "state-dir",
  "listen",
  "hostname",
  "platform",
  "disk",
  "talos-version",
  "time-scale",
  "discovery-dir",
  "test-burst",
]);

/** Splits `HOST:PORT` (`[::1]:50000` for IPv6). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const host = m ? (m[1] ?? m[2] ?? "") : "";
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || host === "" || !(port >= 0 && port <= 65535) || (isIP(host) === 0 && host !== "localhost")) {
    throw new UserError(
      `--listen ${JSON.stringify(value)}: expected HOST:PORT with an IP address, e.g. 0.0.0.0:50000`,
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
    if (name !== "disk" && name !== "test-burst" && values.has(name))
      throw new UserError(`--${name} was given more than once`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const one = (name: string): string | undefined => values.get(name)?.[0];

  const stateDir = one("state-dir");
  if (stateDir === undefined || stateDir === "") throw new UserError("--state-dir is required (see --help)");
  const { host, port } = parseListen(one("listen") ?? DEFAULT_LISTEN);

  const hostname = one("hostname");
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

  const testBursts = (values.get("test-burst") ?? []).map((text) => {
    const spec = parseBurst(text);
    if (!spec) {
      throw new UserError(
        `--test-burst ${JSON.stringify(text)}: expected events:COUNT[:PER_SECOND] or log:SERVICE:COUNT[:PER_SECOND]`,
      );
    }
    return spec;
  });

  return {
    help: false,
    options: {
      ...(testBursts.length > 0 ? { testBursts } : {}),
      ...(discoveryDir !== undefined ? { discoveryDir } : {}),
      stateDir,
      host,
      port,
      ...(hostname !== undefined ? { hostname: hostname.toLowerCase() } : {}),
      platform,
      disks,
      talosVersion,
      timeScale,
    },
  };
}
