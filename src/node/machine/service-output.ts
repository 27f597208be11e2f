// Turns service state changes into log output: machined's own line for every change
// (`service[etcd](Running): Health check successful`), and each service's lines in its own log
// buffer as it starts, turns healthy and stops, plus a trickle while it runs.
import type { Clock, Timer } from "../clock.js";
import type { LiveSet } from "../streams/index.js";
import type { LogManager } from "./logs.js";
import { type ServiceVoice, type VoiceContext, voiceOf } from "./service-voices.js";
import type { ServiceManager, ServiceTransition } from "./services.js";

/** What voices may know about the machine besides the service itself. */
export type MachineFacts = Omit<VoiceContext, "now" | "id" | "pid" | "tick">;

export class ServiceOutput {
  private readonly trickles = new Map<string, { timer: Timer; release: () => void }>();
  private readonly ticks = new Map<string, number>();
  private readonly detach: () => void;

  constructor(
    services: ServiceManager,
    private readonly logs: LogManager,
    private readonly clock: Clock,
    private readonly live: LiveSet,
    private readonly facts: () => MachineFacts,
    private readonly machinedLog: (line: string) => void,
  ) {
    this.detach = services.onTransition((t) => this.onTransition(t));
  }

  close(): void {
    this.detach();
    for (const id of [...this.trickles.keys()]) this.stopTrickle(id);
  }

  /** Writes `lines` to a service's log buffer, one per line. */
  write(id: string, lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.logs.write(id, `${lines.join("\n")}\n`);
  }

  private context(id: string, pid: number | undefined): VoiceContext {
    return { ...this.facts(), now: this.clock.now(), id, pid, tick: this.ticks.get(id) ?? 0 };
  }

  private onTransition(t: ServiceTransition): void {
    this.machinedLog(`service[${t.id}](${t.state}): ${t.msg}`);
    const voice = voiceOf(t.id);
    if (!voice) return;
    const ctx = this.context(t.id, t.pid);
    if (t.state === "Running" && t.msg === "Health check successful") {
      this.write(t.id, voice.healthy(ctx));
    } else if (t.state === "Running" && !t.msg.startsWith("Health check")) {
      this.write(t.id, voice.start(ctx));
      this.startTrickle(t.id, voice, t.pid);
    } else if (t.state === "Stopping") {
      this.stopTrickle(t.id);
      if (t.pid !== undefined || t.msg !== "Aborting restart sequence") this.write(t.id, voice.stop(ctx));
    } else if (t.state === "Finished" || t.state === "Failed") {
      this.stopTrickle(t.id);
    }
  }

  private startTrickle(id: string, voice: ServiceVoice, pid: number | undefined): void {
    this.stopTrickle(id);
    const every = voice.trickleMs;
    const speak = voice.trickle;
    if (every === undefined || speak === undefined) return;
    const release = this.live.hold("service-log-timer");
    const schedule = (): Timer =>
      this.clock.after(every, () => {
        const entry = this.trickles.get(id);
        if (!entry) return;
        this.write(id, speak(this.context(id, pid)));
        this.ticks.set(id, (this.ticks.get(id) ?? 0) + 1);
        entry.timer = schedule();
      });
    this.trickles.set(id, { timer: schedule(), release });
  }

  private stopTrickle(id: string): void {
    const entry = this.trickles.get(id);
    if (!entry) return;
    entry.timer.cancel();
    entry.release();
    this.trickles.delete(id);
  }
}
