// Resources that state facts of the machine, as Talos's controllers publish them: the Talos
// version, the disks and the system disk, the node's network facts (its own addresses and those
// of the platform network config, resolvers, time servers, links), and the
// machine type and hostname, which follow the active config (a hostname change is also
// announced with an AddressEvent).
import { create } from "@bufbuild/protobuf";
import { AddressEventSchema } from "../../gen/machine/machine_pb.js";
import { type Disk, diskFacts, diskName, type PlatformMode } from "../platform/index.js";
import { hasUnattendedInstall, type MachineConfig, machineType } from "./config.js";
import type { EventBus } from "./events.js";
import { type PlatformNetwork, publishNetworkFacts } from "./platform-network.js";
import {
  diskKind,
  hostnameStatusKind,
  machineTypeKind,
  NS,
  systemDiskKind,
  versionKind,
} from "./resources/kinds.js";
import type { ResourceStore } from "./resources/store.js";

/** What the publishers read of the machine. */
export interface FactSource {
  readonly store: ResourceStore;
  readonly bus: EventBus;
  readonly talosVersion: string;
  readonly disks: readonly Disk[];
  readonly mode: PlatformMode;
  readonly platformName: string;
  readonly addresses: readonly string[];
  /** The machine's UUID (its eth0 MAC address derives from it). */
  readonly uuid: string;
  /** The platform network config in effect (metal: META key 0x0a). */
  platformNetwork(): PlatformNetwork | undefined;
  installed(): boolean;
  hostname(): string;
  active(): MachineConfig | undefined;
  /** Publishes the system volumes' status (they exist once the system disk is installed). */
  publishVolumes(): void;
}

/** The resources of one boot, published when the machine starts. */
export function publishBootFacts(m: FactSource): void {
  const { store } = m;
  store.set(versionKind, NS.runtime, "version", { version: m.talosVersion });
  for (const disk of m.disks) {
    const f = diskFacts(disk);
    store.set(
      diskKind,
      NS.runtime,
      f.name,
      {
        devPath: f.devPath,
        size: f.size,
        prettySize: f.prettySize,
        model: f.model,
        serial: f.serial,
        modalias: f.modalias,
        wwid: f.wwid,
        busPath: f.busPath,
        transport: f.transport,
        rotational: f.rotational,
        symlinks: f.symlinks,
      },
      { owner: "block.DisksController" },
    );
  }
  const system = m.disks[0];
  if (system && m.installed()) {
    store.set(
      systemDiskKind,
      NS.runtime,
      "system-disk",
      { diskId: diskName(system), devPath: system.devPath },
      { owner: "block.SystemDiskController" },
    );
  }
  // The system disk's volumes exist once installed, or when this boot installs unattended.
  if (m.installed() || (m.mode === "metal" && hasUnattendedInstall(m.active()))) m.publishVolumes();
  publishNetworkFacts({
    store,
    addresses: m.addresses,
    uuid: m.uuid,
    platformName: m.platformName,
    platform: m.platformNetwork(),
  });
  publishConfigFacts(m);
}

/** Resources that follow the active config: machine type and hostname. */
export function publishConfigFacts(m: FactSource): void {
  const { store } = m;
  const active = m.active();
  if (active) {
    store.set(machineTypeKind, NS.config, "machine-type", machineType(active), {
      owner: "config.MachineTypeController",
    });
  } else {
    store.remove(NS.config, machineTypeKind.definition.type, "machine-type");
  }
  const hostname = m.hostname();
  const before = store.get(NS.network, hostnameStatusKind.definition.type, "hostname");
  store.set(
    hostnameStatusKind,
    NS.network,
    "hostname",
    { hostname, domainname: "" },
    { owner: "network.HostnameStatusController" },
  );
  if ((before?.spec as { hostname?: string } | undefined)?.hostname !== hostname) {
    m.bus.publish(AddressEventSchema, create(AddressEventSchema, { hostname, addresses: [...m.addresses] }));
  }
}
