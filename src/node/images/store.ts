// Images pulled into the node's containerd namespaces (on EPHEMERAL: a reset that wipes it
// forgets them). Persisted as one JSON file in the STATE directory, written atomically.
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../fsutil/index.js";
import { KUBERNETES_NAMESPACE, SYSTEM_NAMESPACE } from "../../wire/index.js";
import type { CatalogImage } from "./catalog.js";

export const IMAGES_FILE = "images.json";

/** containerd namespaces by ContainerdNamespace enum value. */
export const NAMESPACES: Readonly<Record<number, string>> = { 1: SYSTEM_NAMESPACE, 2: KUBERNETES_NAMESPACE };

export interface StoredImage {
  readonly name: string;
  readonly digest: string;
  readonly size: number;
  /** RFC 3339 */
  readonly createdAt: string;
}

export class ImageStore {
  constructor(private readonly stateDir: string) {}

  private get file(): string {
    return path.join(this.stateDir, IMAGES_FILE);
  }

  private read(): Record<string, StoredImage[]> {
    try {
      return JSON.parse(fs.readFileSync(this.file, "utf8")) as Record<string, StoredImage[]>;
    } catch {
      return {};
    }
  }

  list(namespace: string): StoredImage[] {
    return [...(this.read()[namespace] ?? [])].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  has(namespace: string, ref: string): boolean {
    return this.list(namespace).some((i) => i.name === ref);
  }

  /** Deletes an image name; false when the namespace has no such image. */
  remove(namespace: string, name: string): boolean {
    const all = this.read();
    const list = all[namespace] ?? [];
    const rest = list.filter((i) => i.name !== name);
    if (rest.length === list.length) return false;
    all[namespace] = rest;
    writeFileAtomic(this.file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    return true;
  }

  add(namespace: string, image: CatalogImage, now: Date): void {
    const all = this.read();
    const list = (all[namespace] ?? []).filter((i) => i.name !== image.ref);
    list.push({ name: image.ref, digest: image.digest, size: image.size, createdAt: now.toISOString() });
    all[namespace] = list;
    writeFileAtomic(this.file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  }
}
