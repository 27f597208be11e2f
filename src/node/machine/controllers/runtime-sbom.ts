// The software bill of materials Talos publishes from the SPDX documents of its root filesystem
// (siderolabs/talos: internal/app/machined/pkg/controllers/runtime/sbom_item.go): one SBOMItem per
// package, named by the package (Talos itself as `Talos`). The emulated root filesystem holds
// Talos, its kernel and containerd at the versions the node runs.
import { SBOMItemSpecSchema } from "../../../gen/resource/definitions/runtime/runtime_pb.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { KERNEL_VERSION } from "../kernel-transcript.js";
import { CONTAINERD_VERSION } from "../service-voices.js";
import type { MachineSource } from "./source.js";

export const SBOM_ITEM = messageKind("SBOMItems.talos.dev", SBOMItemSpecSchema);

export interface SbomItem {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly cpes: readonly string[];
}

/** The packages of the root filesystem of a node running Talos `talosVersion`. */
export function sbomItems(talosVersion: string): SbomItem[] {
  const kernel = KERNEL_VERSION.replace(/-talos$/, "");
  return [
    { name: "Talos", version: talosVersion, license: "MPL-2.0", cpes: [] },
    {
      name: "linux",
      version: kernel,
      license: "GPL-2.0-only",
      cpes: [`cpe:2.3:o:linux:linux_kernel:${kernel}:*:*:*:*:*:*:*`],
    },
    { name: "containerd", version: CONTAINERD_VERSION.replace(/^v/, ""), license: "Apache-2.0", cpes: [] },
  ];
}

const sbom: Controller<MachineSource> = {
  name: "runtime.SBOMItemController",
  inputs: [],
  run({ source, put }) {
    for (const item of sbomItems(source.talosVersion)) {
      put(
        SBOM_ITEM,
        NS.runtime,
        item.name,
        spec(SBOMItemSpecSchema, {
          name: item.name,
          version: item.version,
          license: item.license,
          cpEs: [...item.cpes],
        }),
      );
    }
  },
};

export const RUNTIME_SBOM_CONTROLLERS: readonly Controller<MachineSource>[] = [sbom];
