// The Network Config screen (siderolabs/talos: internal/pkg/dashboard/networkconfig.go): a
// form on the left (hostname, DNS and time servers, the physical interface, its VLAN ID and
// DHCP or static addressing), the node's existing platform network config and the new one
// (or the form's error) beside it. Tab/Shift+Tab (or Down/Up, Enter on a text field) move
// between the fields; Enter or Space opens a drop-down; Enter on Save writes the config to
// META key 0x0a with MetaWrite. Ctrl+Q, Ctrl+W and Ctrl+E focus the form, the existing config
// and the new config (j/k or the arrows scroll them). The form is checked as each field is
// left, as Talos does.

import {
  configYaml,
  INTERFACE_NONE,
  META_NETWORK_PLATFORM_CONFIG_ID,
  MODE_DHCP,
  MODE_STATIC,
  type NetworkFormData,
  type PlatformNetworkConfig,
  parseConfig,
  toPlatformNetworkConfig,
} from "../model/network-config.js";
import type { NodeState } from "../model/node-state.js";
import { type Canvas, Color, type Rect, split, style } from "../terminal/canvas.js";

type FieldId = "hostname" | "dns" | "time" | "iface" | "vlan" | "mode" | "addresses" | "gateway" | "save";

interface FieldDef {
  readonly id: FieldId;
  readonly label: string;
  readonly kind: "input" | "dropdown" | "button";
}

const FIELDS: Readonly<Record<FieldId, FieldDef>> = {
  hostname: { id: "hostname", label: "Hostname", kind: "input" },
  dns: { id: "dns", label: "DNS Servers", kind: "input" },
  time: { id: "time", label: "Time Servers", kind: "input" },
  iface: { id: "iface", label: "Interface", kind: "dropdown" },
  vlan: { id: "vlan", label: "VLAN ID", kind: "input" },
  mode: { id: "mode", label: "Mode", kind: "dropdown" },
  addresses: { id: "addresses", label: "Addresses", kind: "input" },
  gateway: { id: "gateway", label: "Gateway", kind: "input" },
  save: { id: "save", label: "Save", kind: "button" },
};

type Pane = "form" | "existing" | "new";

/** tview's InputFieldInteger: what a VLAN ID field accepts while typing. */
function acceptsInteger(text: string): boolean {
  return text === "" || text === "-" || text === "+" || /^[+-]?[0-9]+$/.test(text);
}

/** Writes the bytes to the node's META key; rejects with the error to show. */
export type NetworkConfigSaver = (node: string, value: Uint8Array) => Promise<void>;

export class NetworkConfigScreen {
  node: NodeState | undefined;
  readonly text: Record<"hostname" | "dns" | "time" | "vlan" | "addresses" | "gateway", string> = {
    hostname: "",
    dns: "",
    time: "",
    vlan: "",
    addresses: "",
    gateway: "",
  };
  cursor = 0;
  iface = INTERFACE_NONE;
  mode = MODE_DHCP;
  focus: FieldId = "hostname";
  pane: Pane = "form";
  /** The open drop-down's highlighted option, when one is open. */
  listIndex: number | undefined;
  info: { text: string; error: boolean } | undefined;
  newConfig: PlatformNetworkConfig | undefined;
  newConfigError: string | undefined;
  existing: PlatformNetworkConfig | undefined;
  existingError: string | undefined;
  saving = false;
  private existingText: string | undefined;
  private readonly scroll: Record<"existing" | "new", number> = { existing: 0, new: 0 };

  constructor(
    private readonly save: NetworkConfigSaver,
    private readonly changed: () => void,
    /** Called after a successful save (Talos goes back to the Summary screen). */
    private readonly saved: () => void,
  ) {}

  /** The fields shown, in the form's order: the VLAN ID and mode once an interface is picked. */
  fields(): FieldId[] {
    const out: FieldId[] = ["hostname", "dns", "time", "iface"];
    if (this.iface !== INTERFACE_NONE) {
      out.push("vlan", "mode");
      if (this.mode === MODE_STATIC) out.push("addresses", "gateway");
    }
    out.push("save");
    return out;
  }

  /** The interface drop-down's options: none, then the node's physical links. */
  interfaces(): string[] {
    return [INTERFACE_NONE, ...[...(this.node?.physicalLinks ?? [])].sort()];
  }

  private options(id: FieldId): string[] {
    return id === "iface" ? this.interfaces() : [MODE_DHCP, MODE_STATIC];
  }

  /** A node was selected: the form starts empty for it. */
  select(node: NodeState): void {
    if (node === this.node) return;
    this.node = node;
    this.existingText = undefined;
    this.clear();
  }

  clear(): void {
    for (const k of Object.keys(this.text) as (keyof typeof this.text)[]) this.text[k] = "";
    this.iface = INTERFACE_NONE;
    this.mode = MODE_DHCP;
    this.focus = "hostname";
    this.cursor = 0;
    this.listIndex = undefined;
    this.pane = "form";
    this.formEdited();
  }

  formData(): NetworkFormData {
    return {
      hostname: this.text.hostname,
      dnsServers: this.text.dns,
      timeServers: this.text.time,
      iface: this.iface,
      vlanId: this.text.vlan,
      mode: this.mode,
      addresses: this.text.addresses,
      gateway: this.text.gateway,
    };
  }

  /** Picks up the node's META key when it changed (a new existing config rebuilds the form's). */
  private refreshExisting(): void {
    const value = this.node?.metaKeys.get(META_NETWORK_PLATFORM_CONFIG_ID);
    if (value === this.existingText) return;
    this.existingText = value;
    this.existing = undefined;
    this.existingError = undefined;
    if (value !== undefined) {
      try {
        this.existing = parseConfig(value);
      } catch (e) {
        this.existingError = (e as Error).message;
      }
    }
    this.rebuild();
  }

  /** Talos's formEdited: the info line is cleared and the new config rebuilt. */
  formEdited(): void {
    this.info = undefined;
    if (this.iface === INTERFACE_NONE) {
      this.mode = MODE_DHCP;
      this.text.vlan = "";
    }
    if (this.iface === INTERFACE_NONE || this.mode === MODE_DHCP) {
      this.text.addresses = "";
      this.text.gateway = "";
    }
    this.refreshExisting();
    this.rebuild();
  }

  private rebuild(): void {
    try {
      this.newConfig = toPlatformNetworkConfig(this.formData(), this.existing);
      this.newConfigError = undefined;
    } catch (e) {
      this.newConfig = undefined;
      this.newConfigError = (e as Error).message;
    }
  }

  private moveFocus(delta: number): void {
    const fields = this.fields();
    const i = Math.max(0, fields.indexOf(this.focus));
    this.focus = fields[(i + delta + fields.length) % fields.length]!;
    const def = FIELDS[this.focus];
    if (def.kind === "input") this.cursor = [...this.text[this.focus as keyof typeof this.text]].length;
    // Leaving a field (its blur) checks the form.
    this.formEdited();
  }

  /** Whether a text field has the focus (keys then go to it, not to the dashboard). */
  get editing(): boolean {
    return this.pane === "form" && (FIELDS[this.focus].kind === "input" || this.listIndex !== undefined);
  }

  /** Handles a key; false when the dashboard should handle it. */
  onKey(k: string): boolean {
    switch (k) {
      case "ctrl-q":
        this.pane = "form";
        return true;
      case "ctrl-w":
        this.pane = "existing";
        this.listIndex = undefined;
        return true;
      case "ctrl-e":
        this.pane = "new";
        this.listIndex = undefined;
        return true;
    }
    if (this.pane !== "form") return this.onPaneKey(this.pane, k);
    if (this.listIndex !== undefined) return this.onListKey(k);
    const def = FIELDS[this.focus];
    switch (k) {
      case "tab":
        this.moveFocus(1);
        return true;
      case "backtab":
        this.moveFocus(-1);
        return true;
      case "down":
        if (def.kind === "dropdown") this.openList();
        else this.moveFocus(1);
        return true;
      case "up":
        this.moveFocus(-1);
        return true;
    }
    if (def.kind === "input") return this.onInputKey(this.focus as keyof typeof this.text, k);
    if (def.kind === "dropdown") {
      if (k === "enter" || k === " ") {
        this.openList();
        return true;
      }
      return false;
    }
    if (k === "enter" || k === " ") {
      void this.submit();
      return true;
    }
    if (k === "left") {
      this.moveFocus(-1);
      return true;
    }
    if (k === "right") {
      this.moveFocus(1);
      return true;
    }
    return false;
  }

  private openList(): void {
    const options = this.options(this.focus);
    const current = this.focus === "iface" ? this.iface : this.mode;
    this.listIndex = Math.max(0, options.indexOf(current));
  }

  private onListKey(k: string): boolean {
    const options = this.options(this.focus);
    const i = this.listIndex ?? 0;
    switch (k) {
      case "up":
      case "k":
        this.listIndex = Math.max(0, i - 1);
        return true;
      case "down":
      case "j":
        this.listIndex = Math.min(options.length - 1, i + 1);
        return true;
      case "enter":
      case " ": {
        const chosen = options[i];
        this.listIndex = undefined;
        if (chosen !== undefined) {
          if (this.focus === "iface") this.iface = chosen;
          else this.mode = chosen;
        }
        this.formEdited();
        return true;
      }
      case "escape":
      case "tab":
      case "backtab":
        this.listIndex = undefined;
        return true;
    }
    return true;
  }

  private onInputKey(id: keyof typeof this.text, k: string): boolean {
    const chars = [...this.text[id]];
    const set = (next: string[], cursor: number): void => {
      const text = next.join("");
      if (id === "vlan" && !acceptsInteger(text)) return;
      this.text[id] = text;
      this.cursor = cursor;
    };
    this.cursor = Math.min(this.cursor, chars.length);
    switch (k) {
      case "enter":
        this.moveFocus(1);
        return true;
      case "backspace":
        if (this.cursor > 0)
          set([...chars.slice(0, this.cursor - 1), ...chars.slice(this.cursor)], this.cursor - 1);
        return true;
      case "delete":
        set([...chars.slice(0, this.cursor), ...chars.slice(this.cursor + 1)], this.cursor);
        return true;
      case "left":
        this.cursor = Math.max(0, this.cursor - 1);
        return true;
      case "right":
        this.cursor = Math.min(chars.length, this.cursor + 1);
        return true;
      case "home":
      case "ctrl-a":
        this.cursor = 0;
        return true;
      case "end":
        this.cursor = chars.length;
        return true;
      case "ctrl-u":
        set([], 0);
        return true;
      case "ctrl-k":
        set(chars.slice(0, this.cursor), this.cursor);
        return true;
      case "escape":
        return true;
    }
    if ([...k].length === 1 && k >= " ") {
      set([...chars.slice(0, this.cursor), k, ...chars.slice(this.cursor)], this.cursor + 1);
      return true;
    }
    return false;
  }

  private onPaneKey(pane: "existing" | "new", k: string): boolean {
    const delta: Record<string, number> = { up: -1, k: -1, down: 1, j: 1, pageup: -10, pagedown: 10 };
    if (k in delta) {
      this.scroll[pane] = Math.max(0, this.scroll[pane] + delta[k]!);
      return true;
    }
    if (k === "tab" || k === "backtab") return true;
    return false;
  }

  /** Talos's save: nothing to save while the form has errors; success goes back to Summary. */
  async submit(): Promise<void> {
    if (this.saving || this.node === undefined) return;
    const node = this.node;
    if (this.newConfig === undefined) {
      this.info = { text: "Error: nothing to save", error: true };
      return;
    }
    if (this.newConfigError !== undefined) {
      this.info = { text: "Error: cannot save, fix the errors and try again", error: true };
      return;
    }
    const bytes = new TextEncoder().encode(configYaml(this.newConfig, 4));
    this.saving = true;
    try {
      await this.save(node.name, bytes);
    } catch (e) {
      this.info = { text: `Error: ${(e as Error).message}`, error: true };
      return;
    } finally {
      this.saving = false;
      this.changed();
    }
    this.info = { text: "Network config saved successfully", error: false };
    this.clear();
    this.saved();
  }

  draw(canvas: Canvas, r: Rect): void {
    this.refreshExisting();
    const [w0 = 0, w1 = 0, w2 = 0] = split(r.w, [1, 1, 1]);
    const infoH = Math.min(3, Math.max(0, r.h - 3));
    const formRect: Rect = { x: r.x, y: r.y, w: w0, h: r.h - infoH };
    this.drawForm(canvas, formRect);
    const info = this.info;
    if (info && infoH > 0) {
      wrap(info.text, w0).forEach((line, i) => {
        if (i < infoH)
          canvas.text(r.x, r.y + formRect.h + i, line, style(info.error ? Color.red : Color.green));
      });
    }
    const existing: Rect = { x: r.x + w0, y: r.y, w: w1, h: r.h };
    const fresh: Rect = { x: r.x + w0 + w1, y: r.y, w: w2, h: r.h };
    box(canvas, existing, "Existing Config (Ctrl+W)", this.pane === "existing");
    if (this.existingError !== undefined)
      this.drawText(canvas, existing, "existing", `error: ${this.existingError}`, Color.red);
    else if (this.existing !== undefined)
      this.drawText(canvas, existing, "existing", configYaml(this.existing, 2), Color.cyan);
    else this.drawText(canvas, existing, "existing", "No Config", Color.gray);
    box(canvas, fresh, "New Config (Ctrl+E)", this.pane === "new");
    if (this.newConfigError !== undefined)
      this.drawText(canvas, fresh, "new", `error: ${this.newConfigError}`, Color.red);
    else if (this.newConfig !== undefined)
      this.drawText(canvas, fresh, "new", configYaml(this.newConfig, 2), Color.green);
  }

  private drawText(canvas: Canvas, r: Rect, pane: "existing" | "new", text: string, color: Color): void {
    const inner: Rect = { x: r.x + 2, y: r.y + 1, w: Math.max(0, r.w - 3), h: Math.max(0, r.h - 2) };
    const lines = text.split("\n").flatMap((l) => wrap(l.replace(/\t/g, "    "), inner.w));
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    const max = Math.max(0, lines.length - inner.h);
    this.scroll[pane] = Math.min(this.scroll[pane], max);
    for (let i = 0; i < inner.h; i++) {
      const line = lines[i + this.scroll[pane]];
      if (line !== undefined) canvas.text(inner.x, inner.y + i, line, style(color), inner.w);
    }
  }

  private drawForm(canvas: Canvas, r: Rect): void {
    box(canvas, r, "Configure (Ctrl+Q)", this.pane === "form");
    const inner: Rect = { x: r.x + 2, y: r.y + 2, w: Math.max(0, r.w - 4), h: Math.max(0, r.h - 4) };
    const fields = this.fields();
    const items = fields.filter((f) => f !== "save");
    const labelW = Math.max(...items.map((f) => FIELDS[f].label.length)) + 1;
    // One blank row between items when they fit, as tview's form spaces them.
    const gap = items.length * 2 + 1 <= inner.h ? 2 : 1;
    const fieldX = inner.x + labelW;
    const fieldW = Math.max(1, inner.w - labelW);
    const focused = (f: FieldId): boolean => this.pane === "form" && this.focus === f;
    let y = inner.y;
    for (const id of items) {
      const def = FIELDS[id];
      if (y >= inner.y + inner.h) break;
      canvas.text(inner.x, y, def.label, style(Color.yellow, focused(id)), labelW);
      const fieldStyle = style(Color.white, false, true);
      canvas.fill(fieldX, y, fieldW, 1, " ", fieldStyle);
      if (def.kind === "input") {
        const value = [...this.text[id as keyof typeof this.text]];
        const start = focused(id) ? Math.max(0, this.cursor - fieldW + 1) : 0;
        canvas.text(fieldX, y, value.slice(start).join(""), fieldStyle, fieldW);
        if (focused(id)) {
          const cx = fieldX + Math.min(fieldW - 1, this.cursor - start);
          canvas.restyle(cx, y, 1, style(Color.default));
        }
      } else {
        const value = id === "iface" ? this.iface : this.mode;
        canvas.text(fieldX, y, value, focused(id) ? style(Color.yellow, true, true) : fieldStyle, fieldW);
        canvas.text(fieldX + fieldW - 1, y, "▼", fieldStyle);
      }
      y += gap;
    }
    const buttonY = Math.min(y, inner.y + Math.max(0, inner.h - 1));
    const label = " Save ";
    canvas.text(
      inner.x,
      buttonY,
      label,
      focused("save") ? style(Color.yellow, true, true) : style(Color.white, false, true),
    );
    // An open drop-down's list below its field.
    if (this.listIndex !== undefined && this.pane === "form") {
      const at = fields.indexOf(this.focus);
      const options = this.options(this.focus);
      const listY = inner.y + at * gap + 1;
      const listW = Math.max(...options.map((o) => o.length)) + 2;
      options.forEach((o, i) => {
        const s = i === this.listIndex ? style(Color.default, true, false) : style(Color.white, false, true);
        canvas.fill(fieldX, listY + i, listW, 1, " ", s);
        canvas.text(fieldX + 1, listY + i, o, s, listW - 1);
      });
    }
  }
}

/** Splits text into rows of a width (the views wrap long lines). */
function wrap(text: string, width: number): string[] {
  if (width <= 0) return [];
  const chars = [...text];
  if (chars.length === 0) return [""];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(""));
  return out;
}

/** A bordered box with a centred title; double lines while it has the focus. */
export function box(canvas: Canvas, r: Rect, title: string, focused: boolean): void {
  if (r.w < 2 || r.h < 2) return;
  const [h, v, tl, tr, bl, br] = focused ? ["═", "║", "╔", "╗", "╚", "╝"] : ["─", "│", "┌", "┐", "└", "┘"];
  const s = style(Color.white);
  canvas.fill(r.x + 1, r.y, r.w - 2, 1, h, s);
  canvas.fill(r.x + 1, r.y + r.h - 1, r.w - 2, 1, h, s);
  canvas.fill(r.x, r.y + 1, 1, r.h - 2, v, s);
  canvas.fill(r.x + r.w - 1, r.y + 1, 1, r.h - 2, v, s);
  canvas.text(r.x, r.y, tl, s);
  canvas.text(r.x + r.w - 1, r.y, tr, s);
  canvas.text(r.x, r.y + r.h - 1, bl, s);
  canvas.text(r.x + r.w - 1, r.y + r.h - 1, br, s);
  const t = [...title].slice(0, Math.max(0, r.w - 2)).join("");
  canvas.text(r.x + Math.floor((r.w - t.length) / 2), r.y, t, style(Color.white));
}
