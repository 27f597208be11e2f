// The emulated machine's block devices, from `--disk /dev/sda:10GiB` flags, and Talos's
// install disk selector matched against them.
import { UserError } from "../../errors.js";

export interface Disk {
  /** `/dev/sda` */
  readonly devPath: string;
  /** Bytes. */
  readonly size: number;
  readonly model: string;
  readonly serial: string;
  /** `ssd`, `hdd`, `nvme`, `sd` (Talos's disk types). */
  readonly type: string;
  readonly busPath: string;
}

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Parses `10GiB`, `512MB`, `1000000` (bytes); undefined when not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? "").toLowerCase() || "b"];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

/** Parses one `--disk` value: `/dev/sda:10GiB`. */
export function parseDiskFlag(value: string, index: number): Disk {
  const colon = value.lastIndexOf(":");
  const devPath = colon > 0 ? value.slice(0, colon) : "";
  const size = colon > 0 ? parseSize(value.slice(colon + 1)) : undefined;
  if (!/^\/dev\/[a-z0-9]+$/.test(devPath) || size === undefined) {
    throw new UserError(`--disk ${JSON.stringify(value)}: expected /dev/<name>:<size>, e.g. /dev/sda:10GiB`);
  }
  const name = devPath.slice("/dev/".length);
  return {
    devPath,
    size,
    model: "QEMU HARDDISK",
    serial: `QM0000${index + 1}`,
    type: name.startsWith("nvme") ? "nvme" : name.startsWith("mmcblk") ? "sd" : "hdd",
    busPath: `/pci0000:00/0000:00:0${(index % 8) + 5}.0/virtio${index + 2}`,
  };
}

export const DEFAULT_DISK = "/dev/sda:10GiB";

function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(text);
}

/** Matches a `size` selector: `4GB`, `>= 10GB`, `<1TB`. */
function sizeMatches(expr: string, size: number): boolean | undefined {
  const m = /^\s*(<=|>=|<|>|==)?\s*(.+)$/.exec(expr);
  if (!m) return undefined;
  const want = parseSize(m[2] ?? "");
  if (want === undefined) return undefined;
  switch (m[1]) {
    case "<=":
      return size <= want;
    case ">=":
      return size >= want;
    case "<":
      return size < want;
    case ">":
      return size > want;
    default:
      return size === want;
  }
}

/**
 * The disks a `.machine.install.diskSelector` matches (fields size, type, model, serial,
 * name, busPath; globs where Talos allows them). Unknown fields match nothing.
 */
export function matchDisks(selector: Readonly<Record<string, unknown>>, disks: readonly Disk[]): Disk[] {
  return disks.filter((disk) =>
    Object.entries(selector).every(([field, raw]) => {
      const value = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw : undefined;
      if (value === undefined) return false;
      switch (field) {
        case "size":
          return sizeMatches(value, disk.size) === true;
        case "type":
          return value.toLowerCase() === disk.type;
        case "model":
          return globMatch(value, disk.model);
        case "serial":
          return globMatch(value, disk.serial);
        case "name":
          return globMatch(value, disk.devPath.slice("/dev/".length));
        case "busPath":
          return globMatch(value, disk.busPath);
        default:
          return false;
      }
    }),
  );
}

/** The selector written as Talos prints it in `no disks matched the expression: ...`. */
export function describeSelector(selector: Readonly<Record<string, unknown>>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(", ");
}
