// The upgrade of one node through the current API: pull the installer image into containerd
// (ImageService.Pull), run it (LifecycleService.Upgrade, which streams the installer's output
// and its exit code but does not reboot). A node that answers UNIMPLEMENTED to either call
// predates that API; the caller then falls back to the legacy MachineService.Upgrade.
import { Code } from "@connectrpc/connect";
import { TalosError, UserError } from "../../errors.js";
import { ContainerDriver, ContainerdNamespace } from "../../gen/common/common_pb.js";
import { ImageService } from "../../gen/machine/image_pb.js";
import { LifecycleService } from "../../gen/machine/lifecycle_pb.js";
import type { NodeClient } from "../client.js";
import { NodeError, RpcError, toRpcError } from "../errors.js";
import { compareVersions, parseVersion } from "../version-check.js";

/**
 * `--namespace` values, as talosctl names them: `system` (etcd and kubelet images, the CRI
 * containerd's system namespace), `cri` (Kubernetes workloads), `inmem` (the in-memory system
 * containerd instance).
 */
export const IMAGE_NAMESPACES = ["system", "cri", "inmem"] as const;
export type ImageNamespaceName = (typeof IMAGE_NAMESPACES)[number];

/** The containerd instance a pull or an install talks to (driver and namespace). */
export interface ContainerdTarget {
  readonly driver: ContainerDriver;
  readonly namespace: ContainerdNamespace;
}

/** Servers newer than this speak LifecycleService.Upgrade (talosctl's range is >1.13.0-alpha.2 <2.0.0). */
const NEW_API_AFTER = parseVersion("1.13.0-alpha.2")!;
const NEW_API_BEFORE = parseVersion("2.0.0")!;

/** How much installer output is kept to show when an upgrade fails. */
export const INSTALLER_OUTPUT_KEEP_BYTES = 64 * 1024;

/** talosctl's mapping of `--namespace` to a containerd instance; its words for any other value. */
export function parseImageNamespace(text: string): ContainerdTarget {
  switch (text) {
    case "cri":
      return { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_CRI };
    case "system":
      return { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_SYSTEM };
    case "inmem":
      return { driver: ContainerDriver.CONTAINERD, namespace: ContainerdNamespace.NS_SYSTEM };
    default:
      throw new UserError(`unsupported namespace ${JSON.stringify(text)}`);
  }
}

const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

export interface ImageReference {
  readonly ref: string;
  readonly tag?: string;
}

/** Parses an image reference (`[registry/]path[:tag][@digest]`), or says what is wrong with it. */
export function parseImageReference(text: string, flag = "--image"): ImageReference {
  const bad = (): UserError =>
    new UserError(
      `${flag} ${JSON.stringify(text)}: not a valid image reference (e.g. ghcr.io/siderolabs/installer:v1.15.0)`,
    );
  let rest = text;
  const at = rest.indexOf("@");
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) throw bad();
    rest = rest.slice(0, at);
  }
  // The first part names a registry only when it looks like a host (a dot, a port, localhost).
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  if (slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    if (!DOMAIN.test(first)) throw bad();
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    if (!TAG.test(tag)) throw bad();
    rest = rest.slice(0, colon);
  }
  if (text.length > 512 || !PATH.test(rest)) throw bad();
  return { ref: text, ...(tag !== undefined ? { tag } : {}) };
}

/** The Talos version an installer image's tag names (`v1.15.0` → `v1.15.0`), when it names one. */
export function versionOfImage(image: ImageReference): string | undefined {
  if (image.tag === undefined) return undefined;
  return parseVersion(image.tag) !== undefined && /^v?\d+\.\d+\.\d+/.test(image.tag) ? image.tag : undefined;
}

/** Whether a server of this version speaks the current upgrade API. */
export function speaksLifecycleApi(serverTag: string): boolean {
  const v = parseVersion(serverTag);
  if (!v) return true;
  return compareVersions(v, NEW_API_AFTER) > 0 && compareVersions(v, NEW_API_BEFORE) < 0;
}

/** The node predates the current upgrade API (the caller falls back to the legacy call). */
export class LegacyOnly extends TalosError {
  override readonly name = "LegacyOnly";

  constructor(message: string) {
    super("unimplemented", message);
  }
}

function unimplemented(err: unknown): boolean {
  const rpc = err instanceof RpcError ? err : toRpcError(err);
  return rpc.grpcCode === Code.Unimplemented && !/agent mode/.test(rpc.description);
}

export interface PullOptions {
  readonly containerd: ContainerdTarget;
  /** Each layer's progress as a short line. */
  readonly onProgress?: (line: string) => void;
}

/** Pulls the image into the node's containerd; resolves with the name the node reports. */
export async function pullImage(node: NodeClient, image: string, options: PullOptions): Promise<string> {
  const images = node.service(ImageService);
  let name = image;
  try {
    for await (const reply of images.pull({
      containerd: { driver: options.containerd.driver, namespace: options.containerd.namespace },
      imageRef: image,
    })) {
      if (reply.response.case === "name") name = reply.response.value;
      else if (reply.response.case === "pullProgress") {
        const p = reply.response.value;
        const total = p.progress?.total ?? 0n;
        const offset = p.progress?.offset ?? 0n;
        const pct = total > 0n ? ` (${((Number(offset) / Number(total)) * 100).toFixed(1)}%)` : "";
        options.onProgress?.(`layer ${p.layerId}: ${offset}/${total} bytes${pct}`);
      }
    }
  } catch (err) {
    if (unimplemented(err)) throw new LegacyOnly("the node has no ImageService");
    throw new NodeError(node.node, `${node.node}: error pulling image ${image}: ${toRpcError(err).message}`, {
      cause: err,
    });
  }
  return name;
}

export interface InstallResult {
  readonly exitCode: number;
  /** The installer's output (the last INSTALLER_OUTPUT_KEEP_BYTES of it). */
  readonly output: string;
  readonly truncated: boolean;
}

/** Runs the installer through LifecycleService.Upgrade; a non-zero exit code is the caller's to judge. */
export async function runInstaller(
  node: NodeClient,
  image: string,
  containerd: ContainerdTarget,
  onLine?: (line: string) => void,
): Promise<InstallResult> {
  const lifecycle = node.service(LifecycleService);
  let output = "";
  let truncated = false;
  let exitCode: number | undefined;
  try {
    for await (const reply of lifecycle.upgrade({
      containerd: { driver: containerd.driver, namespace: containerd.namespace },
      source: { imageName: image },
    })) {
      const p = reply.progress?.response;
      if (p?.case === "message") {
        output += p.value.endsWith("\n") ? p.value : `${p.value}\n`;
        if (output.length > INSTALLER_OUTPUT_KEEP_BYTES) {
          output = output.slice(output.length - INSTALLER_OUTPUT_KEEP_BYTES);
          truncated = true;
        }
        onLine?.(p.value.trimEnd());
      } else if (p?.case === "exitCode") {
        exitCode = p.value;
      }
    }
  } catch (err) {
    if (unimplemented(err)) throw new LegacyOnly("the node has no LifecycleService");
    throw new NodeError(node.node, `${node.node}: upgrade failed: ${toRpcError(err).message}`, {
      cause: err,
    });
  }
  if (exitCode === undefined) {
    throw new NodeError(
      node.node,
      `${node.node}: upgrade failed: the node ended the upgrade without an exit code`,
    );
  }
  return { exitCode, output, truncated };
}

/** What an installer exit code means (Talos's installer conventions). */
export function exitCodeMeaning(code: number): string {
  switch (code) {
    case 2:
      return "invalid input";
    case 3:
      return "unsupported operation";
    case 4:
      return "environment error";
    case 5:
      return "dependency error";
    case 6:
      return "I/O error";
    case 7:
      return "installation error";
    default:
      return "error";
  }
}
