// Image archives as containerd's Import reads them: a tar holding either an OCI layout
// (`index.json`, each manifest named by its `io.containerd.image.name` annotation, or a full
// reference in `org.opencontainers.image.ref.name`) or `docker save` output (`manifest.json`
// with each image's RepoTags). What it yields is the images' names, normalised.
import { createHash } from "node:crypto";
import { type CatalogImage, normalizeRef } from "./catalog.js";

const BLOCK = 512;

export class ArchiveError extends Error {
  override readonly name = "ArchiveError";
}

/** The regular files of a tar (ustar or GNU), by name without a leading `./`. */
function tarFiles(data: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= data.length) {
    const header = data.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number): string =>
      header
        .subarray(start, start + length)
        .toString("latin1")
        .replace(/\0.*$/s, "");
    const stored = header
      .subarray(148, 156)
      .toString("latin1")
      .replace(/[\0 ]+$/, "")
      .trim();
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    if (stored === "" || Number.parseInt(stored, 8) !== sum)
      throw new ArchiveError("archive/tar: invalid tar header");
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    let name = longName ?? (prefix !== "" ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = data.subarray(offset + BLOCK, offset + BLOCK + size);
    if (body.length < size) throw new ArchiveError("unexpected EOF");
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = body.toString("utf8").replace(/\0.*$/s, "");
      continue;
    }
    name = name.replace(/^\.\//, "");
    if (type === "0" || type === "" || type === "\0") files.set(name, Buffer.from(body));
  }
  return files;
}

function json(files: Map<string, Buffer>, name: string): unknown {
  const body = files.get(name);
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new ArchiveError(`failed to parse ${name}: ${(err as Error).message}`);
  }
}

/** The names of the images an archive holds (empty when it names none). */
export function archiveImageNames(data: Buffer): string[] {
  const files = tarFiles(data);
  const names: string[] = [];
  const add = (ref: unknown): void => {
    if (typeof ref !== "string") return;
    const normalized = normalizeRef(ref);
    if (normalized !== undefined && !names.includes(normalized)) names.push(normalized);
  };
  const index = json(files, "index.json") as
    | { manifests?: { annotations?: Record<string, string> }[] }
    | undefined;
  if (index !== undefined) {
    for (const m of index.manifests ?? []) {
      const a = m.annotations ?? {};
      const full = a["io.containerd.image.name"] ?? a["org.opencontainers.image.ref.name"];
      // A bare tag (`latest`) in ref.name names no image on its own.
      if (full !== undefined && (full.includes("/") || full.includes(":"))) add(full);
    }
    return names;
  }
  const manifest = json(files, "manifest.json") as { RepoTags?: string[] }[] | undefined;
  if (manifest !== undefined) {
    if (!Array.isArray(manifest)) throw new ArchiveError("failed to parse manifest.json: not a list");
    for (const m of manifest) for (const tag of m.RepoTags ?? []) add(tag);
    return names;
  }
  throw new ArchiveError("unrecognized image format");
}

/** The image record an imported archive becomes (its digest the archive's own). */
export function importedImage(name: string, data: Buffer): CatalogImage {
  return {
    ref: name,
    version: "",
    failBoot: false,
    failInstall: true,
    digest: `sha256:${createHash("sha256").update(data).digest("hex")}`,
    size: data.length,
  };
}
