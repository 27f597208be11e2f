// The Resources screen (F3): the node's resource types, then the resources of one type
// (watched, so the list stays current), then one resource as YAML (siderolabs/talos:
// internal/pkg/dashboard/resourceexplorer.go). Enter goes in, Esc goes back, `/` filters types.

import { Code } from "@connectrpc/connect";
import {
  listResourceDefinitions,
  metadataData,
  type ResourceDefinition,
  specData,
  type TalosClient,
  toRpcError,
} from "../../../client/index.js";
import type { Resource } from "../../../gen/cosi/resource/resource_pb.js";
import { EventType } from "../../../gen/cosi/resource/state_pb.js";
import { compileJsonPath, toYaml } from "../../output/index.js";
import { type Canvas, Color, REVERSE, type Rect, style } from "../terminal/canvas.js";
import { truncate } from "./widgets.js";

type Level = "types" | "list" | "yaml";

function message(err: unknown): string {
  const e = toRpcError(err);
  if (e.grpcCode === Code.PermissionDenied)
    return "access denied: this resource is sensitive and requires elevated permissions";
  return e.message;
}

export class ResourceBrowser {
  level: Level = "types";
  node = "";
  active = false;
  definitions: ResourceDefinition[] | undefined;
  error = "";
  filter = "";
  filtering = false;
  typeIndex = 0;
  definition: ResourceDefinition | undefined;
  readonly resources = new Map<string, Resource>();
  bootstrapped = false;
  listIndex = 0;
  yaml: string[] = [];
  yamlTitle = "";
  yamlOffset = 0;
  private watch: AbortController | undefined;
  private loading: AbortController | undefined;

  constructor(
    private readonly client: TalosClient,
    private readonly changed: () => void,
    private readonly signal: AbortSignal,
  ) {}

  /** The selected node or the screen changed. */
  select(node: string, active: boolean): void {
    const nodeChanged = node !== this.node;
    this.node = node;
    this.active = active;
    if (nodeChanged) {
      this.definitions = undefined;
      this.error = "";
      if (this.level === "yaml") this.level = "list";
      this.stopWatch();
    }
    if (!active) {
      this.stopWatch();
      return;
    }
    if (this.level === "types" && this.definitions === undefined) this.load();
    if (this.level !== "types" && this.definition && !this.watch) this.startWatch(this.definition);
  }

  visibleTypes(): ResourceDefinition[] {
    const f = this.filter.toLowerCase();
    return (this.definitions ?? []).filter(
      (d) =>
        f === "" || d.type.toLowerCase().includes(f) || d.allAliases.some((a) => a.toLowerCase().includes(f)),
    );
  }

  sortedResources(): Resource[] {
    return [...this.resources.values()].sort((a, b) =>
      (a.metadata?.id ?? "") < (b.metadata?.id ?? "") ? -1 : 1,
    );
  }

  private load(): void {
    this.loading?.abort();
    const ctl = new AbortController();
    this.loading = ctl;
    const node = this.node;
    this.error = "";
    listResourceDefinitions(this.client.forNode(node))
      .then((defs) => {
        if (ctl.signal.aborted || node !== this.node) return;
        this.definitions = defs.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
        this.typeIndex = 0;
      })
      .catch((err: unknown) => {
        if (ctl.signal.aborted || node !== this.node) return;
        this.error = message(err);
      })
      .finally(() => this.changed());
  }

  private stopWatch(): void {
    this.watch?.abort();
    this.watch = undefined;
  }

  private startWatch(definition: ResourceDefinition): void {
    this.stopWatch();
    const ctl = new AbortController();
    this.watch = ctl;
    this.resources.clear();
    this.bootstrapped = false;
    this.error = "";
    const signal = AbortSignal.any([ctl.signal, this.signal]);
    const run = async (): Promise<void> => {
      const stream = this.client.forNode(this.node).cosi.watch(
        {
          namespace: definition.defaultNamespace,
          type: definition.type,
          options: { bootstrapContents: true, tailEvents: 0 },
          apiVersion: 1,
        },
        { signal },
      );
      for await (const reply of stream) {
        for (const e of reply.event) {
          if (e.eventType === EventType.BOOTSTRAPPED) this.bootstrapped = true;
          else if (e.eventType === EventType.ERRORED) throw new Error(e.error ?? "watch failed");
          else if (e.resource?.metadata) {
            if (e.eventType === EventType.DESTROYED) this.resources.delete(e.resource.metadata.id);
            else if (e.eventType !== EventType.NOOP) this.resources.set(e.resource.metadata.id, e.resource);
          }
        }
        if (this.bootstrapped) this.changed();
      }
    };
    run().catch((err: unknown) => {
      if (signal.aborted) return;
      this.error = message(err);
      this.changed();
    });
  }

  /** Handles a key; false when the key is not the browser's. */
  onKey(k: string): boolean {
    if (this.filtering) {
      if (k === "escape") {
        this.filtering = false;
        this.filter = "";
      } else if (k === "enter") this.filtering = false;
      else if (k === "backspace") this.filter = [...this.filter].slice(0, -1).join("");
      else if ([...k].length === 1) this.filter += k;
      this.typeIndex = 0;
      return true;
    }
    const move = (index: number, count: number, d: number): number =>
      Math.max(0, Math.min(count - 1, index + d));
    const delta: Record<string, number> = {
      up: -1,
      k: -1,
      down: 1,
      j: 1,
      pageup: -10,
      pagedown: 10,
      "ctrl-b": -10,
      "ctrl-f": 10,
    };
    switch (this.level) {
      case "types": {
        const types = this.visibleTypes();
        if (k in delta) this.typeIndex = move(this.typeIndex, types.length, delta[k]!);
        else if (k === "/") this.filtering = true;
        else if (k === "enter" && types[this.typeIndex]) {
          this.definition = types[this.typeIndex];
          this.level = "list";
          this.listIndex = 0;
          this.startWatch(this.definition!);
        } else if (k === "escape" && this.filter !== "") this.filter = "";
        else return false;
        return true;
      }
      case "list": {
        const list = this.sortedResources();
        if (k in delta) this.listIndex = move(this.listIndex, list.length, delta[k]!);
        else if (k === "escape") {
          this.stopWatch();
          this.level = "types";
          if (this.definitions === undefined) this.load();
        } else if (k === "enter" && list[this.listIndex]) {
          const r = list[this.listIndex]!;
          this.yaml = toYaml({ metadata: metadataData(r), spec: specData(r) }).split("\n");
          this.yamlTitle = `${r.metadata?.namespace ?? ""} / ${r.metadata?.id ?? ""}`;
          this.yamlOffset = 0;
          this.level = "yaml";
        } else return false;
        return true;
      }
      case "yaml":
        if (k in delta)
          this.yamlOffset = Math.max(0, Math.min(this.yaml.length - 1, this.yamlOffset + delta[k]!));
        else if (k === "escape") this.level = "list";
        else return false;
        return true;
    }
  }
}

function box(canvas: Canvas, r: Rect, title: string): Rect {
  const border = style(Color.white);
  canvas.text(r.x, r.y, `┌${"─".repeat(Math.max(0, r.w - 2))}┐`, border);
  canvas.text(r.x + 1, r.y, truncate(title, r.w - 2), border);
  for (let y = r.y + 1; y < r.y + r.h - 1; y++) {
    canvas.text(r.x, y, "│", border);
    canvas.text(r.x + r.w - 1, y, "│", border);
  }
  canvas.text(r.x, r.y + r.h - 1, `└${"─".repeat(Math.max(0, r.w - 2))}┘`, border);
  return { x: r.x + 1, y: r.y + 1, w: r.w - 2, h: r.h - 2 };
}

function table(canvas: Canvas, r: Rect, header: string[], rows: string[][], selected: number): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => [...(row[i] ?? "")].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]! + 2) : c)).join("");
  canvas.text(r.x, r.y, line(header), style(Color.default, true), r.w);
  const visible = Math.max(0, r.h - 1);
  const first = Math.max(0, Math.min(selected - visible + 1, rows.length - visible));
  for (let i = 0; i < visible && first + i < rows.length; i++) {
    const index = first + i;
    canvas.text(r.x, r.y + 1 + i, line(rows[index]!).padEnd(r.w), index === selected ? REVERSE : 0, r.w);
  }
}

export function drawResources(canvas: Canvas, r: Rect, b: ResourceBrowser): void {
  if (r.w < 4 || r.h < 3) return;
  switch (b.level) {
    case "types": {
      const inner = box(canvas, r, " Resource Types (Enter: select, /: filter) ");
      const h = b.filtering || b.filter !== "" ? inner.h - 1 : inner.h;
      if (b.error !== "") canvas.text(inner.x, inner.y + 1, b.error, style(Color.red), inner.w);
      else if (!b.definitions) canvas.text(inner.x, inner.y + 1, "Loading...", style(Color.gray), inner.w);
      const types = b.visibleTypes();
      table(
        canvas,
        { ...inner, h },
        ["TYPE", "NAMESPACE", "ALIASES"],
        types.map((d) => [d.type, d.defaultNamespace, d.aliases.join(", ")]),
        b.typeIndex,
      );
      if (h < inner.h) {
        canvas.text(inner.x, inner.y + h, "filter: ", style(Color.yellow), inner.w);
        canvas.text(inner.x + 8, inner.y + h, b.filter + (b.filtering ? "_" : ""), 0, inner.w - 8);
      }
      return;
    }
    case "list": {
      const d = b.definition!;
      const inner = box(
        canvas,
        r,
        ` ${d.displayType} (ns: ${d.defaultNamespace}) — Enter: view YAML, Esc: back `,
      );
      const columns = d.printColumns.map((c) => ({ name: c.name.toUpperCase(), path: safePath(c.jsonPath) }));
      const rows = b.sortedResources().map((res) => {
        const spec = specData(res);
        return [
          res.metadata?.namespace ?? "",
          res.metadata?.id ?? "",
          res.metadata?.version ?? "",
          ...columns.map((c) => c.path(spec)),
        ];
      });
      table(canvas, inner, ["NAMESPACE", "ID", "VERSION", ...columns.map((c) => c.name)], rows, b.listIndex);
      if (b.error !== "") canvas.text(inner.x, inner.y + 1, b.error, style(Color.red), inner.w);
      return;
    }
    case "yaml": {
      const inner = box(canvas, r, ` ${b.yamlTitle} (Esc: back) `);
      b.yaml.slice(b.yamlOffset, b.yamlOffset + inner.h).forEach((l, i) => {
        const key = /^(\s*(?:- )?)([^:\s][^:]*:)(.*)$/.exec(l);
        if (key) {
          let x = inner.x + canvas.text(inner.x, inner.y + i, key[1]!, 0, inner.w);
          x += canvas.text(x, inner.y + i, key[2]!, style(Color.cyan), inner.x + inner.w - x);
          canvas.text(x, inner.y + i, key[3]!, style(Color.green), inner.x + inner.w - x);
        } else canvas.text(inner.x, inner.y + i, l, style(Color.green), inner.w);
      });
      return;
    }
  }
}

function safePath(expression: string): (spec: unknown) => string {
  try {
    const p = compileJsonPath(expression);
    return (spec) => {
      try {
        return p.render(spec).replace(/\n/g, " ");
      } catch {
        return "";
      }
    };
  } catch {
    return () => "";
  }
}
