// The Network Config form's keys: field order as items appear, the VLAN ID's integer-only
// input, Talos's save rules, and the screen drawn with its three panes.
import { describe, expect, it } from "vitest";
import { NodeState } from "../model/node-state.js";
import { Canvas } from "../terminal/canvas.js";
import { NetworkConfigScreen } from "./network-config.js";

function setup(save: (node: string, value: Uint8Array) => Promise<void> = async () => {}) {
  const node = new NodeState("10.5.0.2");
  node.physicalLinks.add("eth0");
  let saved = 0;
  const screen = new NetworkConfigScreen(
    save,
    () => {},
    () => saved++,
  );
  screen.select(node);
  const type = (text: string) => {
    for (const ch of text) screen.onKey(ch);
  };
  return { node, screen, type, saved: () => saved };
}

describe("the Network Config form", () => {
  it("moves through the fields shown, growing with the interface and the mode", () => {
    const { screen } = setup();
    expect(screen.fields()).toEqual(["hostname", "dns", "time", "iface", "save"]);
    for (let i = 0; i < 3; i++) screen.onKey("tab");
    expect(screen.focus).toBe("iface");
    screen.onKey("enter");
    screen.onKey("down");
    screen.onKey("enter");
    expect(screen.iface).toBe("eth0");
    expect(screen.fields()).toEqual(["hostname", "dns", "time", "iface", "vlan", "mode", "save"]);
    screen.onKey("tab");
    screen.onKey("tab");
    screen.onKey(" ");
    screen.onKey("down");
    screen.onKey("enter");
    expect(screen.mode).toBe("Static");
    expect(screen.fields()).toContain("gateway");
    screen.onKey("backtab");
    expect(screen.focus).toBe("vlan");
    // The VLAN ID takes what parses as an integer only.
    for (const ch of "4x2") screen.onKey(ch);
    expect(screen.text.vlan).toBe("42");
  });

  it("refuses to save a form with errors and writes the config of a good one", async () => {
    const writes: { node: string; text: string }[] = [];
    const { screen, type, saved } = setup(async (node, value) => {
      writes.push({ node, text: new TextDecoder().decode(value) });
    });
    type("node-a");
    screen.onKey("tab");
    type("nope");
    screen.onKey("tab");
    expect(screen.newConfigError).toContain('address: ParseAddr("nope"): unable to parse IP');
    await screen.submit();
    expect(screen.info).toEqual({ text: "Error: nothing to save", error: true });
    expect(writes).toEqual([]);

    screen.onKey("backtab");
    screen.onKey("ctrl-u");
    type("10.0.0.53");
    screen.onKey("tab");
    expect(screen.newConfigError).toBeUndefined();
    await screen.submit();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.node).toBe("10.5.0.2");
    expect(writes[0]!.text).toContain("hostnames:\n    - hostname: node-a\n");
    expect(saved()).toBe(1);
    // Saved: the form starts over.
    expect(screen.text.hostname).toBe("");
  });

  it("shows the node's error when the write fails, and draws the three panes", async () => {
    const { screen, node } = setup(async () => {
      throw new Error("rpc error: code = PermissionDenied desc = not authorized");
    });
    node.metaKeys.set("0x0a", "hostnames:\n  - hostname: old\n    layer: platform\n");
    await screen.submit();
    expect(screen.info?.text).toBe("Error: rpc error: code = PermissionDenied desc = not authorized");
    const canvas = new Canvas(120, 30);
    screen.draw(canvas, { x: 0, y: 0, w: 120, h: 30 });
    const text = canvas.rows().join("\n");
    expect(text).toContain("Configure (Ctrl+Q)");
    expect(text).toContain("Existing Config (Ctrl+W)");
    expect(text).toContain("- hostname: old");
    expect(text).toContain("New Config (Ctrl+E)");
    expect(text).toContain("Error: rpc error: code = Permission");
  });
});
