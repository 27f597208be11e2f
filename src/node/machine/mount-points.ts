// The directories user volumes mount on: Talos's mount controller creates a volume's target
// before mounting it (siderolabs/talos: internal/app/machined/pkg/controllers/block/mount.go),
// and the directory stays on EPHEMERAL after the volume is unmounted.
import fs from "node:fs";
import path from "node:path";
import type { ResourceStore } from "../resources/index.js";

const USER_MOUNTS = "/var/mnt/";

/** Creates the target of each user volume mount in the root filesystem; returns the unwatch. */
export function watchMountPoints(
  store: ResourceStore,
  rootDir: string,
  log: (line: string) => void,
): () => void {
  return store.watch({ namespace: "runtime", type: "MountStatuses.block.talos.dev" }, (e) => {
    if (e.type === "destroyed") return;
    const target = (e.resource.spec as { target?: string }).target ?? "";
    const name = target.slice(USER_MOUNTS.length);
    // Volume names are letters, digits and hyphens (the config refuses others).
    if (!target.startsWith(USER_MOUNTS) || !/^[A-Za-z0-9-]+$/.test(name)) return;
    try {
      fs.mkdirSync(path.join(rootDir, "var", "mnt", name), { recursive: true, mode: 0o755 });
    } catch (err) {
      log(`mount point ${target}: ${(err as Error).message}`);
    }
  });
}
