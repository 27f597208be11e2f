// The machine's services: each one walks Talos's state path (Starting, Waiting for its
// dependencies, Preparing, Running, a health check) on the node's clock, keeps its last 64
// events, and reports every change as a ServiceStateEvent and in the Services resources.
// What a service is (definition, state, snapshot) lives in service-model.
import { create } from "@bufbuild/protobuf";
import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ServiceHealthSchema,
  ServiceStateEvent_Action,
  ServiceStateEventSchema,
} from "../../gen/machine/machine_pb.js";
import { ServiceSpecSchema } from "../../gen/resource/definitions/v1alpha1/v1alpha1_pb.js";
import type { Clock } from "../clock.js";
import { messageKind, NS, type ResourceStore, spec } from "../resources/index.js";
import type { EventBus } from "./events.js";
import {
  HEALTH_INITIAL_DELAY_MS,
  RESTART_INTERVAL_MS,
  SERVICE_EVENT_HISTORY,
  type ServiceDefinition,
  ServiceInstance,
  type ServiceSnapshot,
  type ServiceState,
  type ServiceTransition,
  type TransitionListener,
  toSnapshot,
} from "./service-model.js";

export {
  HEALTH_INITIAL_DELAY_MS,
  RESTART_INTERVAL_MS,
  type Runner,
  SERVICE_EVENT_HISTORY,
  type ServiceDefinition,
  type ServiceEventRecord,
  type ServiceHealth,
  type ServiceSnapshot,
  type ServiceState,
  type ServiceTransition,
  type TransitionListener,
} from "./service-model.js";

/** Services' resources (`talosctl get services`), owned by Talos's ServiceController. */
const SERVICE = messageKind("Services.v1alpha1.talos.dev", ServiceSpecSchema);

const ACTION: Readonly<Record<ServiceState, ServiceStateEvent_Action>> = {
  Initialized: ServiceStateEvent_Action.INITIALIZED,
  Starting: ServiceStateEvent_Action.STARTING,
  Waiting: ServiceStateEvent_Action.WAITING,
  Preparing: ServiceStateEvent_Action.PREPARING,
  Running: ServiceStateEvent_Action.RUNNING,
  Stopping: ServiceStateEvent_Action.STOPPING,
  Finished: ServiceStateEvent_Action.FINISHED,
  Failed: ServiceStateEvent_Action.FAILED,
  Skipped: ServiceStateEvent_Action.SKIPPED,
};

export class ServiceManager {
  private readonly services = new Map<string, ServiceInstance>();
  private readonly changeWaiters = new Set<() => void>();
  private readonly transitionListeners = new Set<TransitionListener>();
  private nextPid: number;
  /** Once a shutdown-like sequence denies new services, start requests do nothing. */
  private denied = false;
  /** Work a service's pre state waits for (etcd waits to be bootstrapped or to join). */
  private readonly preStates = new Map<string, (signal: AbortSignal) => Promise<void>>();

  constructor(
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly store: ResourceStore,
    firstPid = 1100,
  ) {
    this.nextPid = firstPid;
  }

  /** Sets what service `id` waits for in its pre state (the state stays Preparing meanwhile). */
  setPreState(id: string, fn: (signal: AbortSignal) => Promise<void>): void {
    this.preStates.set(id, fn);
  }

  has(id: string): boolean {
    return this.services.has(id);
  }

  definition(id: string): ServiceDefinition | undefined {
    return this.services.get(id)?.definition;
  }

  /** Calls `listener` after every later state change of any service. */
  onTransition(listener: TransitionListener): () => void {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  /** Whether start requests are being ignored (a shutdown-like sequence ran denyNewServices). */
  get denyingNewServices(): boolean {
    return this.denied;
  }

  /** Registers a service without starting it (it then shows in ServiceList as Initialized). */
  load(definition: ServiceDefinition): void {
    if (!this.services.has(definition.id)) this.services.set(definition.id, new ServiceInstance(definition));
  }

  /** Abandons every service's background work (the machine is being discarded). */
  close(): void {
    this.denied = true;
    for (const svc of this.services.values()) svc.run?.abort(new Error("machine stopped"));
    for (const wake of [...this.changeWaiters]) wake();
  }

  denyNewServices(): void {
    this.denied = true;
  }

  /** Starts a service in the background; starting a running service does nothing. */
  start(definition: ServiceDefinition): void {
    if (this.denied) return;
    this.load(definition);
    const svc = this.services.get(definition.id)!;
    if (svc.run && !svc.run.signal.aborted && !svc.isDown()) return;
    const run = new AbortController();
    svc.run = run;
    void this.runService(svc, run.signal).catch(() => {
      // aborted by stop(); the stop path reports the state change
    });
  }

  /** Stops a service and waits until it is down; stopping a stopped service does nothing. */
  async stop(id: string): Promise<void> {
    const svc = this.services.get(id);
    if (!svc || svc.isDown() || svc.state === "Initialized") return;
    svc.run?.abort(new Error("stopped"));
    const runner = svc.definition.runner;
    const wasRunning = svc.state === "Running";
    if (wasRunning) {
      const how =
        runner.kind === "process"
          ? `Sending SIGTERM to ${processName(runner.args)}`
          : runner.kind === "container"
            ? `Sending SIGTERM to task ${id} (PID ${svc.pid}, container ${id})`
            : "Service stopping";
      this.transition(svc, "Stopping", how);
    } else {
      this.transition(svc, "Stopping", "Aborting restart sequence");
    }
    await this.clock.sleep(50);
    svc.pid = undefined;
    this.transition(svc, "Finished", "Service finished successfully");
  }

  /**
   * The task of a running container service was sent SIGTERM (MachineService.Restart): it
   * exits, and the restart runner starts it again after Talos's restart interval with a new
   * PID, as Talos's `Restart(Forever, Containerd(<id>))` runner does. False when the service
   * runs no container task now.
   */
  killTask(id: string): boolean {
    const svc = this.services.get(id);
    if (svc?.state !== "Running" || svc.definition.runner.kind !== "container") return false;
    svc.run?.abort(new Error("task killed"));
    const run = new AbortController();
    svc.run = run;
    svc.pid = undefined;
    this.transition(svc, "Waiting", `Runner Containerd(${id}) exited without error, going to restart it`);
    void (async () => {
      await this.clock.sleep(RESTART_INTERVAL_MS, run.signal);
      svc.pid = this.nextPid++;
      svc.startedAt = this.clock.now();
      this.transition(svc, "Running", `Started task ${id} (PID ${svc.pid}) for container ${id}`);
      if (!svc.definition.healthCheck) return;
      await this.clock.sleep(HEALTH_INITIAL_DELAY_MS, run.signal);
      svc.health = { unknown: false, healthy: true, lastMessage: "", lastChange: this.clock.now() };
      this.transition(svc, "Running", "Health check successful");
    })().catch(() => {
      // stopped or the machine went away while waiting to restart
    });
    return true;
  }

  /** Stops every service, dependents first. */
  async stopAll(ids?: readonly string[]): Promise<void> {
    const wanted = new Set(ids ?? this.services.keys());
    const order = this.stopOrder().filter((id) => wanted.has(id));
    for (const id of order) await this.stop(id);
  }

  snapshot(id: string): ServiceSnapshot | undefined {
    const svc = this.services.get(id);
    return svc ? toSnapshot(svc) : undefined;
  }

  /** Every registered service, sorted by id. */
  list(): ServiceSnapshot[] {
    return [...this.services.values()]
      .sort((a, b) => (a.definition.id < b.definition.id ? -1 : 1))
      .map(toSnapshot);
  }

  isUp(id: string): boolean {
    return this.services.get(id)?.isUp() ?? false;
  }

  /** Resolves once `check` holds (re-evaluated on every service change). */
  async waitFor(check: () => boolean, signal?: AbortSignal): Promise<void> {
    while (!check()) {
      if (signal?.aborted) throw signal.reason;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.changeWaiters.delete(wake);
          signal?.removeEventListener("abort", wake);
          resolve();
        };
        this.changeWaiters.add(wake);
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
  }

  private async runService(svc: ServiceInstance, signal: AbortSignal): Promise<void> {
    const def = svc.definition;
    this.transition(svc, "Starting", "Starting service");
    let lastWait = "";
    while (true) {
      const missing = def.dependsOn.find((dep) => !this.isUp(dep));
      if (missing === undefined) break;
      const msg = `Waiting for service "${missing}" to be "up"`;
      if (msg !== lastWait) {
        this.transition(svc, "Waiting", msg);
        lastWait = msg;
      }
      await this.waitFor(() => def.dependsOn.every((dep) => this.isUp(dep)) || signal.aborted, signal);
      // Stopped while waiting: the dependency will never come up, and waiting again would spin.
      if (signal.aborted) throw signal.reason;
    }
    this.transition(svc, "Preparing", "Running pre state");
    try {
      await this.preStates.get(def.id)?.(signal);
    } catch (err) {
      if (signal.aborted) throw err;
      // Talos: the runner's error, first letter upper-cased, is the Failed event's message.
      const msg = `failed to run pre stage: ${err instanceof Error ? err.message : String(err)}`;
      this.transition(svc, "Failed", msg.charAt(0).toUpperCase() + msg.slice(1));
      return;
    }
    this.transition(svc, "Preparing", "Creating service runner");
    await this.clock.sleep(def.startMs, signal);
    svc.pid = def.runner.kind === "goroutine" ? undefined : this.nextPid++;
    svc.startedAt = this.clock.now();
    const runner = def.runner;
    const started =
      runner.kind === "process"
        ? `Process ${processName(runner.args)} started with PID ${svc.pid}`
        : runner.kind === "container"
          ? `Started task ${def.id} (PID ${svc.pid}) for container ${def.id}`
          : "Service started as goroutine";
    this.transition(svc, "Running", started);
    if (!def.healthCheck) return;
    await this.clock.sleep(HEALTH_INITIAL_DELAY_MS, signal);
    svc.health = { unknown: false, healthy: true, lastMessage: "", lastChange: this.clock.now() };
    this.transition(svc, "Running", "Health check successful");
  }

  private transition(svc: ServiceInstance, state: ServiceState, msg: string): void {
    const ts = this.clock.now();
    svc.state = state;
    if (state !== "Running") svc.health = { unknown: true, healthy: false, lastMessage: "" };
    svc.events.push({ msg, state, ts });
    if (svc.events.length > SERVICE_EVENT_HISTORY) svc.events.shift();
    const running = state === "Running";
    this.bus.publish(
      ServiceStateEventSchema,
      create(ServiceStateEventSchema, {
        service: svc.definition.id,
        action: ACTION[state],
        message: msg,
        health: create(ServiceHealthSchema, {
          unknown: running ? svc.health.unknown : true,
          healthy: running ? svc.health.healthy : false,
          lastMessage: running ? svc.health.lastMessage : "",
          ...(running && svc.health.lastChange ? { lastChange: timestamp(svc.health.lastChange) } : {}),
        }),
      }),
    );
    if (state === "Finished" || state === "Failed") {
      this.store.remove(NS.runtime, SERVICE.definition.type, svc.definition.id);
    } else if (state !== "Initialized") {
      this.store.set(
        SERVICE,
        NS.runtime,
        svc.definition.id,
        spec(ServiceSpecSchema, {
          running,
          healthy: running && svc.health.healthy,
          unknown: !running || svc.health.unknown,
        }),
        { owner: "v1alpha1.ServiceController" },
      );
    }
    const change: ServiceTransition = {
      id: svc.definition.id,
      state,
      msg,
      pid: svc.pid,
      health: { ...svc.health },
    };
    for (const listener of [...this.transitionListeners]) listener(change);
    for (const wake of [...this.changeWaiters]) wake();
  }

  /** Services ordered so that every service comes before what it depends on. */
  private stopOrder(): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (id: string): void => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const other of this.services.values()) {
        if (other.definition.dependsOn.includes(id)) visit(other.definition.id);
      }
      out.push(id);
    };
    for (const id of [...this.services.keys()].sort()) visit(id);
    return out;
  }
}

function processName(args: readonly string[]): string {
  return `Process(${JSON.stringify(args).replace(/","/g, '" "')})`;
}

function timestamp(d: Date): Timestamp {
  return timestampFromDate(d);
}
