// Talos's RuntimeValidate checks: the ones that need the machine's own state (its disks, its
// volumes, its IOMMU). Only the node runs them, with what its emulated machine has;
// `talosctl validate` skips them as talosctl does.
import { type ConfigDocument, LEGACY_KIND, type MachineConfigDocuments } from "../document.js";
import { atLeast, type Check, type RuleOptions } from "./check.js";
import { has, list, obj, str } from "./data.js";
import type { Findings } from "./findings.js";
import { goQuote, humanizeParseBytes } from "./go.js";
import { requiresInstall } from "./modes.js";

export interface RuntimeDisk {
  readonly path: string;
}

/** What the machine can tell the runtime checks; each check runs only when its answer is given. */
export interface RuntimeState {
  /**
   * The disks an install disk selector matches, and how the selector reads as an expression
   * (for Talos's `no disks matched the expression: ...`).
   */
  readonly matchInstallDisks?: (selector: Readonly<Record<string, unknown>>) => {
    readonly matched: number;
    readonly expression: string;
  };
  /** A settled system volume's backing ("directory" or "partition"), undefined when not established. */
  readonly volumeBacking?: (name: string) => "directory" | "partition" | undefined;
  /** Whether the machine has IOMMU groups (PCI driver rebinding needs them). */
  readonly iommu?: boolean;
}

/** What keeps a v1alpha1 install disk selector from becoming a disk expression (DiskMatchExpression). */
export function installDiskSelectorError(selector: Readonly<Record<string, unknown>>): string | undefined {
  if (str(selector, ["name"]) !== "") return "selector on name is not supported";
  const type = str(selector, ["type"]);
  if (type !== "" && !["nvme", "sd", "hdd", "ssd"].includes(type))
    return `unsupported disk type ${goQuote(type)}`;
  return undefined;
}

/**
 * The CEL text of a v1alpha1 install disk selector as Talos builds it (DiskMatchExpression) and
 * prints it (cel-go's unparser: `&&` chains, wrapped after the operator past column 80); undefined
 * when the selector makes no expression.
 */
export function installDiskExpression(selector: Readonly<Record<string, unknown>>): string | undefined {
  if (installDiskSelectorError(selector) !== undefined) return undefined;
  const terms: string[] = [];
  const size = selector.size;
  if (size !== undefined && size !== null) {
    const condition = String(size).trim();
    const op = /^(>=|<=|>|<|==)?/.exec(condition)![0];
    const bytes = humanizeParseBytes(condition.slice(op.length).trim());
    if ("error" in bytes) return undefined;
    terms.push(`disk.size ${op || "=="} ${BigInt(Math.trunc(bytes.value))}u`);
  }
  const glob = (field: string, key: string) => {
    const pattern = str(selector, [key]);
    if (pattern !== "") terms.push(`glob(${goQuote(pattern)}, disk.${field})`);
  };
  glob("uuid", "uuid");
  glob("wwid", "wwid");
  glob("model", "model");
  glob("serial", "serial");
  glob("modalias", "modalias");
  terms.push('disk.transport != ""');
  const type = str(selector, ["type"]);
  if (type === "nvme") terms.push('disk.transport == "nvme"');
  if (type === "sd") terms.push('disk.transport == "mmc"');
  if (type === "hdd") terms.push("disk.rotational");
  if (type === "ssd") terms.push("!disk.rotational");
  glob("bus_path", "busPath");
  terms.push("!disk.readonly", "!disk.cdrom");
  let out = terms[0]!;
  let lineStart = 0;
  for (const term of terms.slice(1)) {
    // The operator's mangled name `_&&_` counts toward the column, as cel-go counts it.
    if (out.length - lineStart + 4 >= 80) {
      lineStart = out.length;
      out += " &&\n";
    } else out += " && ";
    out += term;
  }
  return out;
}

/** The system volumes a VolumeConfig can move between a directory and a partition. */
export const PROMOTABLE_VOLUMES: readonly string[] = ["ETCD", "CRI", "KUBELET", "LOG"];

/** The deprecation of `.machine.install.extensions`, with the link of the release (it moved in 1.13). */
export function deprecatedExtensions(options: RuleOptions): string {
  return atLeast(options, 1, 13)
    ? ".machine.install.extensions is deprecated, please see https://docs.siderolabs.com/talos/latest/platform-specific-installations/boot-assets"
    : ".machine.install.extensions is deprecated, please see https://www.talos.dev/latest/talos-guides/install/boot-assets/";
}

/** Talos's ProvisioningRequested: a system volume's VolumeConfig asks for a dedicated partition. */
function requestedBacking(doc: ConfigDocument): "directory" | "partition" {
  const p = obj(doc.data, ["provisioning"]);
  return str(p, ["diskSelector", "match"]) !== "" ||
    has(p, ["grow"]) ||
    str(p, ["minSize"]) !== "" ||
    str(p, ["maxSize"]) !== ""
    ? "partition"
    : "directory";
}

/**
 * How a config lays out a promotable system volume (ETCD, CRI, KUBELET, LOG): on a dedicated
 * partition when its VolumeConfig asks for provisioning, else a directory under EPHEMERAL; undefined
 * for other volumes.
 */
export function systemVolumeBacking(
  config: MachineConfigDocuments,
  name: string,
): "directory" | "partition" | undefined {
  if (!PROMOTABLE_VOLUMES.includes(name)) return undefined;
  const doc = config.documents.find((d) => d.kind === "VolumeConfig" && d.name === name);
  return doc === undefined ? "directory" : requestedBacking(doc);
}

export function runtimeValidate(
  config: MachineConfigDocuments,
  options: RuleOptions,
  state: RuntimeState,
  checkOf: (doc: ConfigDocument) => Check,
  f: Findings,
): void {
  const legacy = config.documents.find((d) => d.kind === LEGACY_KIND);
  if (legacy !== undefined && has(legacy.data, ["machine"])) {
    const c = checkOf(legacy);
    const install = obj(legacy.data, ["machine", "install"]);
    const selector = obj(install, ["diskSelector"]);
    if (requiresInstall(options.mode) && selector !== undefined) {
      // A selector that does not make an expression is reported again here, and matches nothing.
      const invalid = installDiskSelectorError(selector);
      if (invalid !== undefined)
        c.error(`install disk selector is invalid: ${invalid}`, ["machine", "install", "diskSelector"]);
      else if (state.matchInstallDisks !== undefined) {
        const r = state.matchInstallDisks(selector);
        if (r.matched === 0)
          c.error(`no disks matched the expression: ${installDiskExpression(selector) ?? r.expression}`, [
            "machine",
            "install",
            "diskSelector",
          ]);
      }
    }
    if (list(install, ["extensions"]).length > 0)
      c.warn(deprecatedExtensions(options), ["machine", "install", "extensions"]);
  }

  // System volumes on dedicated partitions came with Talos 1.14.
  const volumeBacking = atLeast(options, 1, 14) ? state.volumeBacking : undefined;
  for (const doc of config.documents) {
    if (
      doc.kind === "VolumeConfig" &&
      volumeBacking !== undefined &&
      PROMOTABLE_VOLUMES.includes(doc.name ?? "")
    ) {
      const current = volumeBacking(doc.name ?? "");
      const requested = requestedBacking(doc);
      if (current !== undefined && current !== requested) {
        checkOf(doc).error(
          `the backing of the ${goQuote(doc.name ?? "")} system volume cannot be changed after creation (current: ${current}, requested: ${requested}); migrating an existing system volume to or from a dedicated partition is not supported`,
        );
      }
    }
    if (doc.kind === "PCIDriverRebindConfig" && state.iommu === false) {
      checkOf(doc).warn("IOMMU is not enabled, this config change might not have any effect");
    }
  }

  if (volumeBacking !== undefined) {
    const anchor = legacy ?? config.documents[0];
    for (const name of PROMOTABLE_VOLUMES) {
      const present = config.documents.some((d) => d.kind === "VolumeConfig" && d.name === name);
      if (present || anchor === undefined) continue;
      if (volumeBacking(name) === "partition") {
        f.error(
          anchor,
          [],
          `the ${goQuote(name)} system volume is backed by a dedicated partition and its VolumeConfig cannot be removed; migrating a system volume off a dedicated partition is not supported`,
        );
      }
    }
  }
}
