// How the machine gets and serves its config (siderolabs/talos: controllers/config/acquire.go,
// controllers/runtime/maintenance_config.go): the status that says the config was acquired and
// boot may proceed, and where the maintenance service would listen (the API port on every
// address, no SideroLink here) with the addresses it is reachable on.
import { NetIPSchema } from "../../../gen/common/common_pb.js";
import type { NodeAddressSpec } from "../../../gen/resource/definitions/network/network_pb.js";
import { MaintenanceServiceConfigSpecSchema } from "../../../gen/resource/definitions/runtime/runtime_pb.js";
import { API_PORT } from "../../../wire/index.js";
import { type Controller, kindOf, messageKind, NS, spec } from "../../resources/index.js";
import { INPUT, type MachineSource } from "./source.js";

export const ACQUIRE_CONFIG_STATUS = kindOf("AcquireConfigStatuses.v1alpha1.talos.dev");
export const MAINTENANCE_SERVICE_CONFIG = messageKind(
  "MaintenanceServiceConfigs.runtime.talos.dev",
  MaintenanceServiceConfigSpecSchema,
);

const NODE_ADDRESSES = "NodeAddresses.net.talos.dev";

/** Created once the machine has its config (the boot's LoadConfig task waits for it). */
const acquired: Controller<MachineSource> = {
  name: "config.AcquireController",
  inputs: [INPUT.config],
  run({ source, put }) {
    if (source.active()) put(ACQUIRE_CONFIG_STATUS, NS.runtime, "machine-config", null as never);
  },
};

/** runtime.MaintenanceConfigController: every node has it (with no SideroLink, the API port on every address). */
const maintenanceConfig: Controller<MachineSource> = {
  name: "runtime.MaintenanceConfigController",
  inputs: [],
  reads: [{ namespace: NS.network, type: NODE_ADDRESSES }],
  run({ get, put }) {
    const current = get(NS.network, NODE_ADDRESSES, "current")?.spec as NodeAddressSpec | undefined;
    put(
      MAINTENANCE_SERVICE_CONFIG,
      NS.runtime,
      "maintenance",
      spec(MaintenanceServiceConfigSpecSchema, {
        listenAddress: `:${API_PORT}`,
        reachableAddresses: (current?.addresses ?? []).map((p) => spec(NetIPSchema, { ip: p.ip })),
      }),
    );
  },
};

export const RUNTIME_CONFIG_CONTROLLERS: readonly Controller<MachineSource>[] = [acquired, maintenanceConfig];
