// The dashboard: node states fed by their sources, the screens drawn from them, and the keys
// of talosctl's dashboard (siderolabs/talos: internal/pkg/dashboard/dashboard.go): F1-F3 pick
// a screen, left/right (h/l, [/]) a node, q or Ctrl+C quit, Ctrl+Z pauses; j/k and the
// Ctrl+D/U/F/B family scroll the log or the process table. `n` opens the node selector, and on
// the Monitor screen `c`/`m` sort the processes by CPU or memory. F4 is the Network Config
// screen of Talos's console dashboard (there F3, after Monitor; talosctl's F3 is Resources):
// it edits the node's platform network config; while it is shown the node stays selected, and
// keys go to the focused text field.
import net from "node:net";
import { type TalosClient, toRpcError } from "../../client/index.js";
import { META_NETWORK_PLATFORM_CONFIG } from "./model/network-config.js";
import { NodeState } from "./model/node-state.js";
import { startNodeSources } from "./sources/sources.js";
import { Canvas, type Rect } from "./terminal/canvas.js";
import { decodeKeys, type Key } from "./terminal/keys.js";
import { AnsiRenderer, PlainRenderer, type Renderer } from "./terminal/renderer.js";
import { type TerminalInput, type TerminalOutput, TerminalSession } from "./terminal/session.js";
import { drawFooter, type ScreenTab } from "./views/footer.js";
import { headerLine } from "./views/header.js";
import { drawMonitor, type ProcessTableState, processTableRows, sortedProcesses } from "./views/monitor.js";
import { NetworkConfigScreen } from "./views/network-config.js";
import { drawResources, ResourceBrowser } from "./views/resources.js";
import { drawSelector } from "./views/selector.js";
import { drawSummary, SUMMARY_TOP_ROWS } from "./views/summary.js";

export type ScreenName = "Summary" | "Monitor" | "Resources" | "Network Config";

export const SCREENS: readonly (ScreenTab & { readonly name: ScreenName })[] = [
  { key: "F1", name: "Summary" },
  { key: "F2", name: "Monitor" },
  { key: "F3", name: "Resources" },
];

/** The Network Config screen, offered for nodes on the metal platform (as Talos's console). */
export const NETWORK_CONFIG_SCREEN: ScreenTab & { readonly name: ScreenName } = {
  key: "F4",
  name: "Network Config",
};

/** The spinner turns (and the screen is refreshed) twice a second, as in Talos. */
export const TICK_MS = 500;
/** Changes are drawn at most this often. */
const FRAME_MS = 50;

export interface DashboardOptions {
  readonly client: TalosClient;
  readonly nodes: readonly string[];
  readonly intervalMs: number;
  readonly input: TerminalInput;
  readonly output: TerminalOutput;
  /** Plain text frames instead of a full-screen terminal (TERM=dumb, or not a terminal). */
  readonly plain: boolean;
  /** Colours (off with NO_COLOR). */
  readonly color: boolean;
  /** Ends the dashboard (the command's Ctrl+C when input is not raw). */
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/** Nodes in Talos's order: IP addresses first (by address), then names alphabetically. */
export function sortNodes(nodes: readonly string[]): string[] {
  const unique = [...new Set(nodes)];
  const key = (n: string): bigint | undefined => {
    if (net.isIPv4(n)) return n.split(".").reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
    if (net.isIPv6(n)) {
      const [head = "", tail = ""] = n.split("::");
      const h = head === "" ? [] : head.split(":");
      const t = tail === "" ? [] : tail.split(":");
      const groups = n.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
      return (1n << 128n) + groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g || "0"}`), 0n);
    }
    return undefined;
  };
  return unique.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== undefined && kb !== undefined) return ka < kb ? -1 : ka > kb ? 1 : 0;
    if (ka !== undefined) return -1;
    if (kb !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export class Dashboard {
  readonly states: NodeState[];
  screen: ScreenName = "Summary";
  selected = 0;
  paused = false;
  spinner = 0;
  selectorOpen = false;
  selectorIndex = 0;
  private readonly logScroll = new Map<string, number>();
  readonly table: ProcessTableState = { sort: "cpu", selected: 0, offset: 0 };
  readonly resources: ResourceBrowser;
  readonly networkConfig: NetworkConfigScreen;
  private readonly renderer: Renderer;
  private readonly session: TerminalSession;
  private readonly stop = new AbortController();
  private frameTimer: ReturnType<typeof setTimeout> | undefined;
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private lastPlain = 0;
  private finished!: () => void;
  private readonly done: Promise<void>;
  private exitReason: string | undefined;

  constructor(private readonly options: DashboardOptions) {
    this.states = sortNodes(options.nodes).map((n) => new NodeState(n));
    this.renderer = options.plain
      ? new PlainRenderer(options.output)
      : new AnsiRenderer(options.output, options.color);
    this.session = new TerminalSession({
      input: options.input,
      output: options.output,
      fullScreen: !options.plain,
      onData: (text) => this.onKeys(decodeKeys(text)),
      onResize: () => {
        this.renderer.invalidate();
        this.draw();
      },
      onHangup: (reason) => this.quit(reason),
    });
    this.resources = new ResourceBrowser(options.client, () => this.requestFrame(), this.stop.signal);
    this.networkConfig = new NetworkConfigScreen(
      async (node, value) => {
        try {
          await options.client
            .forNode(node)
            .machine.metaWrite({ key: META_NETWORK_PLATFORM_CONFIG, value }, { signal: this.stop.signal });
        } catch (err) {
          throw toRpcError(err, this.stop.signal.aborted);
        }
      },
      () => this.requestFrame(),
      () => this.selectScreen("Summary"),
    );
    this.done = new Promise((resolve) => {
      this.finished = resolve;
    });
  }

  get node(): NodeState {
    return this.states[this.selected]!;
  }

  /** Runs until q, Ctrl+C, a signal or the end of the terminal; returns why it ended. */
  async run(): Promise<string | undefined> {
    const onAbort = (): void => this.quit("signal");
    this.options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      this.session.enter();
      const feeds = this.states.map((state) =>
        startNodeSources(state, {
          client: this.options.client,
          intervalMs: this.options.intervalMs,
          signal: this.stop.signal,
          onChange: () => this.requestFrame(),
        }),
      );
      this.tickTimer = setInterval(() => {
        if (this.paused) return;
        this.spinner++;
        this.draw();
      }, TICK_MS);
      this.resources.select(this.node.name, this.screen === "Resources");
      this.draw();
      await this.done;
      this.stop.abort();
      await Promise.allSettled(feeds);
    } finally {
      this.options.signal.removeEventListener("abort", onAbort);
      clearInterval(this.tickTimer);
      clearTimeout(this.frameTimer);
      this.stop.abort();
      this.session.leave();
    }
    return this.exitReason;
  }

  quit(reason?: string): void {
    this.exitReason ??= reason;
    this.finished();
  }

  private requestFrame(): void {
    if (this.frameTimer !== undefined || this.paused) return;
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined;
      this.draw();
    }, FRAME_MS);
  }

  /** Draws the current screen; plain output is rate-limited to one frame per interval. */
  draw(force = false): void {
    const size = this.session.size();
    if (this.options.plain && !force) {
      const now = Date.now();
      if (now - this.lastPlain < this.options.intervalMs) {
        this.requestPlainLater(this.options.intervalMs - (now - this.lastPlain));
        return;
      }
      this.lastPlain = now;
    }
    this.renderer.render(this.frame(size.columns, size.rows));
  }

  private plainTimer: ReturnType<typeof setTimeout> | undefined;

  private requestPlainLater(ms: number): void {
    if (this.plainTimer !== undefined) return;
    this.plainTimer = setTimeout(() => {
      this.plainTimer = undefined;
      this.draw();
    }, ms);
    this.plainTimer.unref?.();
  }

  /** The whole screen at a size. */
  frame(width: number, height: number): Canvas {
    const canvas = new Canvas(width, height);
    const now = this.options.now?.() ?? Date.now();
    canvas.line(0, 0, headerLine(this.node, this.options.plain ? 0 : this.spinner, now), width);
    const body: Rect = { x: 0, y: 1, w: width, h: Math.max(0, height - 2) };
    switch (this.screen) {
      case "Summary":
        drawSummary(canvas, body, this.node, { scroll: this.logScroll.get(this.node.name) ?? 0 });
        break;
      case "Monitor":
        this.clampTable(body.h);
        drawMonitor(canvas, body, this.node, this.table);
        break;
      case "Resources":
        drawResources(canvas, body, this.resources);
        break;
      case "Network Config":
        this.networkConfig.select(this.node);
        this.networkConfig.draw(canvas, body);
        break;
    }
    if (this.selectorOpen) drawSelector(canvas, body, this.states, this.selectorIndex);
    drawFooter(
      canvas,
      { x: 0, y: height - 1, w: width, h: 1 },
      {
        nodes: this.states.map((s) => s.name),
        selected: this.selected,
        screens: this.screens(),
        screen: this.screen,
        paused: this.paused,
        down: new Set(this.states.filter((s) => s.reachability === "down").map((s) => s.name)),
      },
    );
    return canvas;
  }

  /** The screens of the selected node. */
  screens(): (ScreenTab & { readonly name: ScreenName })[] {
    return this.node.platform === "metal" ? [...SCREENS, NETWORK_CONFIG_SCREEN] : [...SCREENS];
  }

  selectNode(index: number): void {
    const next = Math.max(0, Math.min(this.states.length - 1, index));
    if (next === this.selected) return;
    this.selected = next;
    this.table.selected = 0;
    this.table.offset = 0;
    this.resources.select(this.node.name, this.screen === "Resources");
  }

  selectScreen(screen: ScreenName): void {
    this.screen = screen;
    if (screen === "Network Config") {
      this.selectorOpen = false;
      this.networkConfig.select(this.node);
      this.networkConfig.pane = "form";
    }
    this.resources.select(this.node.name, screen === "Resources");
  }

  private pageSize(): number {
    const rows = this.session.size().rows - 2;
    return this.screen === "Monitor"
      ? Math.max(1, processTableRows(rows))
      : Math.max(1, rows - SUMMARY_TOP_ROWS - 1);
  }

  private scrollLogs(delta: number): void {
    const name = this.node.name;
    const max = Math.max(0, this.node.logs.length - 1);
    this.logScroll.set(name, Math.max(0, Math.min(max, (this.logScroll.get(name) ?? 0) + delta)));
  }

  private moveProcess(delta: number): void {
    this.table.selected += delta;
  }

  private clampTable(bodyHeight: number): void {
    const count = sortedProcesses(this.node, this.table.sort).length;
    const rows = Math.max(1, processTableRows(bodyHeight));
    this.table.selected = Math.max(0, Math.min(Math.max(0, count - 1), this.table.selected));
    if (this.table.selected < this.table.offset) this.table.offset = this.table.selected;
    if (this.table.selected >= this.table.offset + rows) this.table.offset = this.table.selected - rows + 1;
  }

  onKeys(keys: readonly Key[]): void {
    for (const key of keys) this.onKey(key);
    this.draw(true);
  }

  private onKey(key: Key): void {
    const k = key.name === "char" ? key.char! : key.name;
    // Keys every screen shares.
    switch (k) {
      case "f1":
        this.selectScreen("Summary");
        return;
      case "f2":
        this.selectScreen("Monitor");
        return;
      case "f3":
        this.selectScreen("Resources");
        return;
      case "f4":
        if (this.screens().includes(NETWORK_CONFIG_SCREEN)) this.selectScreen("Network Config");
        return;
      case "ctrl-z":
        this.paused = !this.paused;
        if (!this.paused) this.requestFrame();
        return;
      case "ctrl-c":
        this.quit("quit");
        return;
    }
    if (this.selectorOpen) {
      this.onSelectorKey(k);
      return;
    }
    if (this.screen === "Resources" && this.resources.onKey(k)) return;
    if (this.screen === "Network Config") {
      // No node switching here (as in Talos); q quits unless a text field takes it.
      if (!this.networkConfig.onKey(k) && k === "q") this.quit("quit");
      return;
    }
    switch (k) {
      case "q":
        this.quit("quit");
        return;
      case "left":
      case "h":
      case "[":
        this.selectNode(this.selected - 1);
        return;
      case "right":
      case "l":
      case "]":
        this.selectNode(this.selected + 1);
        return;
      case "n":
        this.selectorOpen = true;
        this.selectorIndex = this.selected;
        return;
    }
    const page = this.pageSize();
    const half = Math.max(1, Math.floor(page / 2));
    const delta: Record<string, number> = {
      up: -1,
      k: -1,
      down: 1,
      j: 1,
      "ctrl-u": -half,
      "ctrl-d": half,
      "ctrl-b": -page,
      pageup: -page,
      "ctrl-f": page,
      pagedown: page,
    };
    if (this.screen === "Summary") {
      // Up scrolls back in the log (away from the newest line).
      if (k in delta) this.scrollLogs(-delta[k]!);
      else if (k === "end" || k === "G") this.logScroll.set(this.node.name, 0);
      else if (k === "home" || k === "g") this.scrollLogs(Number.MAX_SAFE_INTEGER);
    } else if (this.screen === "Monitor") {
      if (k in delta) this.moveProcess(delta[k]!);
      else if (k === "c") this.table.sort = "cpu";
      else if (k === "m") this.table.sort = "mem";
      else if (k === "home" || k === "g") this.table.selected = 0;
      else if (k === "end" || k === "G") this.table.selected = Number.MAX_SAFE_INTEGER;
    }
  }

  private onSelectorKey(k: string): void {
    switch (k) {
      case "up":
      case "k":
        this.selectorIndex = Math.max(0, this.selectorIndex - 1);
        return;
      case "down":
      case "j":
        this.selectorIndex = Math.min(this.states.length - 1, this.selectorIndex + 1);
        return;
      case "enter":
        this.selectNode(this.selectorIndex);
        this.selectorOpen = false;
        return;
      case "escape":
      case "n":
      case "q":
        this.selectorOpen = false;
        return;
    }
  }
}
