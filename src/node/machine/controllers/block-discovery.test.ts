// Discovery's refresh handshake: the refresh request appears once udev reports the devices ready,
// and discovery's status acknowledges the last request it has seen (0 before any).

import { describe, expect, it } from "vitest";
import { DevicesStatusSpecSchema } from "../../../gen/resource/definitions/runtime/runtime_pb.js";
import { createClock } from "../../clock.js";
import { parseDiskFlag } from "../../platform/index.js";
import { type Controller, ControllerRuntime, NS, ResourceStore, spec } from "../../resources/index.js";
import { BLOCK_DISCOVERY_CONTROLLERS } from "./block-discovery.js";
import { DEVICES_STATUS } from "./runtime.js";
import type { MachineSource } from "./source.js";

function run(devicesReady: boolean) {
  const store = ResourceStore.forNode(createClock());
  const source = {
    disks: [parseDiskFlag("/dev/sda:10GiB", 0)],
    machineUuid: "uuid-1",
    installed: () => true,
    active: () => undefined,
  } as unknown as MachineSource;
  const devices: Controller<MachineSource> = {
    name: "runtime.DevicesStatusController",
    inputs: [],
    run({ put }) {
      put(DEVICES_STATUS, NS.runtime, "devices", spec(DevicesStatusSpecSchema, { ready: devicesReady }));
    },
  };
  new ControllerRuntime(store, source, [devices, ...BLOCK_DISCOVERY_CONTROLLERS]).start();
  const get = (type: string) => store.get(NS.runtime, type, "refresh");
  return {
    request: get("DiscoveryRefreshRequests.block.talos.dev"),
    status: get("DiscoveryRefreshStatuses.block.talos.dev"),
  };
}

describe("discovery refresh", () => {
  it("is requested once the devices are ready, and acknowledged by discovery", () => {
    const { request, status } = run(true);
    expect([request?.owner, (request!.spec as { request: bigint }).request]).toEqual([
      "block.DiscoveredVolumesStatusController",
      1n,
    ]);
    expect([status?.owner, (status!.spec as { request: bigint }).request]).toEqual([
      "block.DiscoveryController",
      1n,
    ]);
  });

  it("is not requested while the devices are not ready; discovery reports request 0", () => {
    const { request, status } = run(false);
    expect(request).toBeUndefined();
    expect((status!.spec as { request: bigint }).request).toBe(0n);
  });
});
