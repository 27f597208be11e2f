// The machine's two configs: the persisted one (STATE, survives restarts) and the active one
// (what runs now). NO_REBOOT replaces both, STAGED only the persisted one, TRY only the
// active one with a timer that restores the previous active config.

import { errorMessage } from "../../errors.js";
import { ACTIVE_CONFIG_ID } from "../../wire/index.js";
import type { Clock, Timer } from "../clock.js";
import { MACHINE_CONFIG_ANNOTATIONS, machineConfigKind, NS, type ResourceStore } from "../resources/index.js";
import type { StateDir } from "../state/index.js";
import { type MachineConfig, parseMachineConfig } from "./config.js";

export const PERSISTENT_ID = "persistent";

/**
 * The machine config saved in STATE, parsed with the contract of the version the machine runs;
 * `error` says why it could not be, if it could not.
 */
export function readSavedConfig(
  state: StateDir,
  talosVersion: string,
): { config?: MachineConfig; error?: string } {
  const bytes = state.readConfig();
  if (bytes === undefined) return {};
  try {
    return { config: parseMachineConfig(bytes, talosVersion) };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

export type ActiveListener = (active: MachineConfig | undefined, previous: MachineConfig | undefined) => void;

export class ConfigStore {
  private activeConfig: MachineConfig | undefined;
  private persistedConfig: MachineConfig | undefined;
  private pendingTry: { timer: Timer; previous: MachineConfig | undefined; deadline: Date } | undefined;
  private readonly listeners = new Set<ActiveListener>();

  constructor(
    private readonly clock: Clock,
    private readonly state: StateDir,
    private readonly store: ResourceStore,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts from what STATE holds: the persisted config becomes active, as at boot. */
  boot(persisted: MachineConfig | undefined): void {
    this.persistedConfig = persisted;
    this.activeConfig = persisted;
    this.publish(PERSISTENT_ID, persisted);
    this.publish(ACTIVE_CONFIG_ID, persisted);
  }

  get active(): MachineConfig | undefined {
    return this.activeConfig;
  }

  get persisted(): MachineConfig | undefined {
    return this.persistedConfig;
  }

  /** When a TRY config will be rolled back, if one is pending. */
  get tryDeadline(): Date | undefined {
    return this.pendingTry?.deadline;
  }

  onActiveChange(listener: ActiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes the config to STATE (atomically) and makes it the persisted one. */
  persist(config: MachineConfig): void {
    this.state.writeConfig(Buffer.from(config.text, "utf8"));
    this.persistedConfig = config;
    this.publish(PERSISTENT_ID, config);
  }

  activate(config: MachineConfig | undefined): void {
    const previous = this.activeConfig;
    this.activeConfig = config;
    this.publish(ACTIVE_CONFIG_ID, config);
    for (const listener of [...this.listeners]) listener(config, previous);
  }

  /** Activates a TRY config; after `timeoutMs` the config active before it comes back. */
  tryActivate(config: MachineConfig, timeoutMs: number): void {
    const previous = this.activeConfig;
    this.pendingTry?.timer.cancel();
    const timer = this.clock.after(timeoutMs, () => {
      if (this.pendingTry?.timer !== timer) return;
      this.pendingTry = undefined;
      this.log("rolling back the configuration");
      this.activate(previous);
    });
    this.pendingTry = {
      timer,
      previous,
      deadline: new Date(this.clock.now().getTime() + timeoutMs),
    };
    this.activate(config);
  }

  /** Makes a pending TRY config stay (no rollback); returns whether one was pending. */
  cancelTry(): boolean {
    if (!this.pendingTry) return false;
    this.pendingTry.timer.cancel();
    this.pendingTry = undefined;
    return true;
  }

  /** Stops timers (node shutdown). */
  close(): void {
    this.pendingTry?.timer.cancel();
    this.pendingTry = undefined;
  }

  private publish(id: string, config: MachineConfig | undefined): void {
    if (config) {
      this.store.set(machineConfigKind, NS.config, id, config.text, {
        annotations: MACHINE_CONFIG_ANNOTATIONS,
      });
    } else {
      this.store.remove(NS.config, machineConfigKind.definition.type, id);
    }
  }
}
