// What a service is and what is known of it: its definition (runner, dependencies, health
// check, the API operations it allows), its state and events, and the record the service manager
// keeps for each one, with the snapshot others read.

export type ServiceState =
  | "Initialized"
  | "Starting"
  | "Waiting"
  | "Preparing"
  | "Running"
  | "Stopping"
  | "Finished"
  | "Failed"
  | "Skipped";

/** Events kept per service (Talos keeps the last 64). */
export const SERVICE_EVENT_HISTORY = 64;
/** Health check defaults: first check after 1 s. */
export const HEALTH_INITIAL_DELAY_MS = 1_000;
/** How long a service's restart runner waits before starting an exited task again (Talos: 5 s). */
export const RESTART_INTERVAL_MS = 5_000;

export type Runner =
  | { readonly kind: "process"; readonly args: readonly string[] }
  | { readonly kind: "container" }
  | { readonly kind: "goroutine" };

export interface ServiceDefinition {
  readonly id: string;
  readonly runner: Runner;
  readonly dependsOn: readonly string[];
  readonly healthCheck: boolean;
  /** Emulated time from "Creating service runner" to running. */
  readonly startMs: number;
  /** Which operations the ServiceStart/Stop/Restart API may perform. */
  readonly api: { readonly start: boolean; readonly stop: boolean; readonly restart: boolean };
}

export interface ServiceEventRecord {
  readonly msg: string;
  readonly state: ServiceState;
  readonly ts: Date;
}

export interface ServiceHealth {
  readonly unknown: boolean;
  readonly healthy: boolean;
  readonly lastMessage: string;
  readonly lastChange?: Date;
}

/** One state change as listeners see it (the same facts as the ServiceStateEvent). */
export interface ServiceTransition {
  readonly id: string;
  readonly state: ServiceState;
  readonly msg: string;
  readonly pid: number | undefined;
  readonly health: ServiceHealth;
}

export type TransitionListener = (transition: ServiceTransition) => void;

export interface ServiceSnapshot {
  readonly id: string;
  readonly state: ServiceState;
  readonly events: readonly ServiceEventRecord[];
  readonly health: ServiceHealth;
  readonly pid?: number;
  readonly definition: ServiceDefinition;
  readonly startedAt?: Date;
}

export class ServiceInstance {
  state: ServiceState = "Initialized";
  events: ServiceEventRecord[] = [];
  health: ServiceHealth = { unknown: true, healthy: false, lastMessage: "" };
  pid?: number;
  startedAt?: Date;
  /** Aborts the current run (start-up wait or health timer) when the service is stopped. */
  run?: AbortController;

  constructor(readonly definition: ServiceDefinition) {}

  isUp(): boolean {
    if (this.state === "Skipped") return true;
    return this.state === "Running" && (!this.definition.healthCheck || this.health.healthy);
  }

  isDown(): boolean {
    return this.state === "Failed" || this.state === "Finished" || this.state === "Skipped";
  }
}

export function toSnapshot(svc: ServiceInstance): ServiceSnapshot {
  return {
    id: svc.definition.id,
    state: svc.state,
    events: [...svc.events],
    health: { ...svc.health },
    ...(svc.pid !== undefined ? { pid: svc.pid } : {}),
    ...(svc.startedAt ? { startedAt: svc.startedAt } : {}),
    definition: svc.definition,
  };
}
