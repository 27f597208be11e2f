// Services: dependencies, health checks, stop order and the per-service event history.
import { fromBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ServiceStateEvent_Action, ServiceStateEventSchema } from "../../gen/machine/machine_pb.js";
import { createClock } from "../clock.js";
import { SERVICES } from "./catalog.js";
import { EventBus } from "./events.js";
import { definitionKind, NODE_KINDS, namespaceKind } from "./resources/kinds.js";
import { ResourceStore } from "./resources/store.js";
import { ServiceManager } from "./services.js";

function setup() {
  const clock = createClock(1000);
  const bus = new EventBus(clock);
  const store = new ResourceStore(clock, { namespace: namespaceKind, definition: definitionKind });
  store.registerNamespace("runtime", "");
  for (const k of NODE_KINDS) store.registerKind(k);
  return { bus, store, services: new ServiceManager(clock, bus, store) };
}

describe("services", () => {
  it("waits for dependencies, runs, passes the health check and reports each step", async () => {
    const { bus, store, services } = setup();
    services.start(SERVICES.apid);
    services.start(SERVICES.containerd);
    await services.waitFor(() => services.isUp("apid"));
    const apid = services.snapshot("apid")!;
    expect(apid.events.map((e) => `${e.state}: ${e.msg}`)).toEqual([
      "Starting: Starting service",
      'Waiting: Waiting for service "containerd" to be "up"',
      "Preparing: Running pre state",
      "Preparing: Creating service runner",
      expect.stringMatching(/^Running: Started task apid \(PID \d+\) for container apid$/),
      "Running: Health check successful",
    ]);
    expect(apid.health).toMatchObject({ unknown: false, healthy: true });
    const actions = bus
      .history()
      .filter((e) => e.type === "machine.ServiceStateEvent")
      .map((e) => fromBinary(ServiceStateEventSchema, e.value))
      .filter((e) => e.service === "apid")
      .map((e) => e.action);
    expect(actions).toEqual([
      ServiceStateEvent_Action.STARTING,
      ServiceStateEvent_Action.WAITING,
      ServiceStateEvent_Action.PREPARING,
      ServiceStateEvent_Action.PREPARING,
      ServiceStateEvent_Action.RUNNING,
      ServiceStateEvent_Action.RUNNING,
    ]);
    expect(store.get("runtime", "Services.v1alpha1.talos.dev", "apid")?.spec).toEqual({
      running: true,
      healthy: true,
      unknown: false,
    });
  });

  it("stops dependents before what they depend on and drops their resources", async () => {
    const { store, services } = setup();
    for (const s of [SERVICES.containerd, SERVICES.apid, SERVICES.machined]) services.start(s);
    await services.waitFor(() => services.isUp("apid") && services.isUp("machined"));
    await services.stopAll();
    const finished = services.list().map((s) => [s.id, s.state, s.events.at(-1)?.msg]);
    expect(finished).toEqual([
      ["apid", "Finished", "Service finished successfully"],
      ["containerd", "Finished", "Service finished successfully"],
      ["machined", "Finished", "Service finished successfully"],
    ]);
    const apidEvents = services.snapshot("apid")!.events.map((e) => e.msg);
    expect(apidEvents).toContain("Sending SIGTERM to task apid (PID 1101, container apid)");
    expect(store.list("runtime", "Services.v1alpha1.talos.dev")).toEqual([]);
  });

  it("keeps the last 64 events of a service", async () => {
    const { services } = setup();
    for (let i = 0; i < 12; i++) {
      services.start(SERVICES.machined);
      await services.waitFor(() => services.isUp("machined"));
      await services.stop("machined");
    }
    expect(services.snapshot("machined")!.events).toHaveLength(64);
  });
});
