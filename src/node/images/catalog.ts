// The image catalog: which installer images "exist in the registry" for this node, the Talos
// version each installs, whether its installer fails (exit code 7, "installation error") and
// whether the installed version fails to boot (to exercise the automatic rollback). By default the catalog holds the real installer tags of Talos v1.12.0 up to the
// version the node reports; `--image-catalog FILE` replaces it with a YAML list.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { parse } from "yaml";
import { UserError } from "../../errors.js";
import { installerRef } from "../state/index.js";

export interface CatalogImage {
  /** The reference as clients name it, normalised (`ghcr.io/siderolabs/installer:v1.13.9`). */
  readonly ref: string;
  readonly version: string;
  readonly failBoot: boolean;
  /** Running this installer fails (the upgrade does not happen). */
  readonly failInstall: boolean;
  readonly digest: string;
  readonly size: number;
}

/** The last patch release of each finished release line the default catalog lists. */
const LAST_PATCH: Readonly<Record<string, number>> = { "1.12": 8, "1.13": 9 };
const FIRST_LINE = { major: 1, minor: 12 };

const VERSION = /^v(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;

function image(ref: string, version: string, failBoot = false, failInstall = false, mib = 70): CatalogImage {
  const digest = `sha256:${createHash("sha256").update(ref).digest("hex")}`;
  // A stable size in the range of real images of its kind (installers: 70–90 MiB).
  const base = Math.round(mib * 1024 * 1024);
  const size = base + (Number.parseInt(digest.slice(7, 13), 16) % Math.max(1, Math.round(base * 0.28)));
  return { ref, version, failBoot, failInstall, digest, size };
}

/** MiB of the well-known images, roughly as their registries report them. */
const IMAGE_MIB: readonly (readonly [RegExp, number])[] = [
  [/\/pause:/, 0.3],
  [/\/kube-apiserver:/, 27],
  [/\/kube-controller-manager:/, 25],
  [/\/kube-scheduler:/, 18],
  [/\/kube-proxy:/, 29],
  [/\/kubelet:/, 105],
  [/\/etcd:/, 22],
  [/\/coredns:/, 21],
  [/\/flannel:/, 31],
  [/\/kube-network-policies:/, 19],
  [/\/alpine:/, 3.5],
  [/\/busybox:/, 2.1],
  [/\/nginx:/, 69],
  [/\/nix:/, 185],
  [/\/nixybox:/, 140],
];

/**
 * Images every registry the node reaches has besides installers: Kubernetes' and Talos's
 * defaults (those its workloads run too) and common debugging images. They are not installers:
 * running one as an installer fails.
 */
export function commonImages(refs: readonly string[]): CatalogImage[] {
  return [...new Set(refs)].map((ref) => {
    const mib = IMAGE_MIB.find(([re]) => re.test(ref))?.[1] ?? 40;
    return image(ref, "", false, true, mib);
  });
}

/** Installer images of every Talos release from v1.12.0 up to (and including) `nodeVersion`. */
export function defaultCatalog(nodeVersion: string): CatalogImage[] {
  const m = VERSION.exec(nodeVersion);
  const out: CatalogImage[] = [];
  if (!m) return [image(installerRef(nodeVersion), nodeVersion)];
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = Number(m[3]);
  const prerelease = m[4] !== undefined;
  for (let line = FIRST_LINE.minor; major === FIRST_LINE.major && line <= minor; line++) {
    const own = line === minor;
    const last = own ? (prerelease ? patch - 1 : patch) : (LAST_PATCH[`1.${line}`] ?? 0);
    for (let p = 0; p <= last; p++) {
      const version = `v1.${line}.${p}`;
      out.push(image(installerRef(version), version));
    }
  }
  if (!out.some((i) => i.version === nodeVersion)) out.push(image(installerRef(nodeVersion), nodeVersion));
  return out;
}

/**
 * Normalises an image reference as containerd does (`docker.io/library/` for bare names,
 * `:latest` without tag or digest); undefined when it is not a valid reference.
 */
export function normalizeRef(ref: string): string | undefined {
  const m =
    /^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(
      ref,
    );
  if (!m || ref.length > 255) return undefined;
  let name = m[1]!;
  const first = name.split("/")[0]!;
  const hasHost = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (!hasHost) name = `docker.io/${name.includes("/") ? name : `library/${name}`}`;
  const tag = m[2] ?? (m[3] ? undefined : "latest");
  return `${name}${tag ? `:${tag}` : ""}${m[3] ? `@${m[3]}` : ""}`;
}

export class ImageCatalog {
  private readonly byRef = new Map<string, CatalogImage>();

  constructor(images: readonly CatalogImage[]) {
    for (const i of images) this.byRef.set(i.ref, i);
  }

  /** The image a (normalised) reference names, if the "registry" has it. */
  find(ref: string): CatalogImage | undefined {
    return this.byRef.get(ref);
  }

  get images(): CatalogImage[] {
    return [...this.byRef.values()];
  }
}

/** Reads `--image-catalog FILE`: a YAML list of `{ref, version, failBoot?, failInstall?}`. */
export function loadCatalog(file: string): CatalogImage[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(err);
    throw new UserError(`--image-catalog ${file}: ${why}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserError(`--image-catalog ${file}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!Array.isArray(doc))
    throw new UserError(
      `--image-catalog ${file}: expected a YAML list of {ref, version, failBoot, failInstall}`,
    );
  const seen = new Set<string>();
  return doc.map((entry: unknown, i) => {
    const where = `--image-catalog ${file}: entry ${i + 1}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new UserError(`${where}: expected a mapping with ref and version`);
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!["ref", "version", "failBoot", "failInstall"].includes(key))
        throw new UserError(`${where}: unknown field ${JSON.stringify(key)}`);
    }
    if (typeof e.ref !== "string") throw new UserError(`${where}: ref is required (a string)`);
    const ref = normalizeRef(e.ref);
    if (!ref) throw new UserError(`${where}: ref ${JSON.stringify(e.ref)} is not a valid image reference`);
    if (typeof e.version !== "string" || !VERSION.test(e.version)) {
      throw new UserError(`${where}: version must look like vX.Y.Z (got ${JSON.stringify(e.version)})`);
    }
    for (const flag of ["failBoot", "failInstall"]) {
      if (e[flag] !== undefined && typeof e[flag] !== "boolean") {
        throw new UserError(`${where}: ${flag} must be true or false`);
      }
    }
    if (seen.has(ref)) throw new UserError(`${where}: ref ${ref} is listed twice`);
    seen.add(ref);
    return image(ref, e.version, e.failBoot === true, e.failInstall === true);
  });
}
