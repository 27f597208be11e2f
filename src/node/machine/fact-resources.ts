// Resources that state facts of the machine, as Talos's controllers publish them: the Talos
// version, the disks and the system disk, the node's addresses (fixed for a boot), and the
// machine type and hostname, which follow the active config (a hostname change is also
// announced with an AddressEvent).
import { create } from "@bufbuild/protobuf";
import { AddressEventSchema } from "../../gen/machine/machine_pb.js";
import { type Disk, diskFacts, diskName, type PlatformMode, withPrefix } from "../platform/index.js";
import { hasUnattendedInstall, type MachineConfig, machineType } from "./config.js";
import type { EventBus } from "./events.js";
import {
  diskKind,
  hostnameStatusKind,
  machineTypeKind,
  NS,
  nodeAddressKind,
  nodenameKind,
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
  readonly addresses: readonly string[];
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
  const cidrs = m.addresses.map(withPrefix);
  const owner = "network.NodeAddressController";
  const routed = cidrs.filter((c) => !c.startsWith("127."));
  store.set(
    nodeAddressKind,
    NS.network,
    "default",
    { addresses: (routed.length > 0 ? routed : cidrs).slice(0, 1) },
    { owner },
  );
  for (const id of ["current", "accumulative"])
    store.set(nodeAddressKind, NS.network, id, { addresses: cidrs }, { owner });
  store.set(nodeAddressKind, NS.network, "routed", { addresses: routed }, { owner });
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
  // The kubelet's Node name: the hostname, lower-cased, once the machine is configured.
  const status = store.get(NS.network, hostnameStatusKind.definition.type, "hostname");
  if (active) {
    store.set(
      nodenameKind,
      NS.k8s,
      "nodename",
      {
        nodename: hostname.toLowerCase(),
        hostnameVersion: String(status?.version ?? 1),
        skipNodeRegistration: false,
      },
      { owner: "k8s.NodenameController" },
    );
  } else {
    store.remove(NS.k8s, nodenameKind.definition.type, "nodename");
  }
}
