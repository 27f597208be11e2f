import { describe, expect, it } from "vitest";
import { compileJsonPath } from "./jsonpath.js";

const data = {
  metadata: { id: "eth0", labels: { role: "uplink" } },
  spec: {
    addresses: ["10.0.0.2/24", "fd00::2/64"],
    links: [
      { name: "eth0", mtu: 1500 },
      { name: "eth1", mtu: 9000 },
    ],
    up: true,
    nested: { name: "deep" },
  },
};

describe("jsonpath", () => {
  it.each([
    ["{.metadata.id}", "eth0"],
    ["{.spec.addresses[0]}", "10.0.0.2/24"],
    ["{.spec.addresses[-1]}", "fd00::2/64"],
    ["{.spec.addresses[*]}", "10.0.0.2/24 fd00::2/64"],
    ["{.spec.links[*].name}", "eth0 eth1"],
    ["{.spec.links[0:1].mtu}", "1500"],
    ["{.spec.up}", "true"],
    ["{.metadata.labels}", '{"role":"uplink"}'],
    ["{..name}", "eth0 eth1 deep"],
    [".metadata.id", "eth0"],
    ["id={.metadata.id}\\n", "id=eth0\n"],
    ["{.metadata['id']}", "eth0"],
    ['{range .spec.links[*]}{.name}={.mtu}{"\\n"}{end}', "eth0=1500\neth1=9000\n"],
    ["{.missing.path}", ""],
    ['{.spec.links[?(@.name=="eth1")].mtu}', "9000"],
    ["{.spec.links[?(@.mtu != 1500)].name}", "eth1"],
    ["{.spec.links[?(@.mtu)].name}", "eth0 eth1"],
    ["{.spec.links[?(@.name=='none')].mtu}", ""],
  ])("%s", (expr, expected) => {
    expect(compileJsonPath(expr).render(data)).toBe(expected);
  });

  it.each([
    ["{.spec", "unclosed {"],
    ["{range .spec.links[*]}{.name}", "{range} without {end}"],
    ["{end}", "{end} without {range}"],
    ["{.spec[abc]}", "unsupported subscript [abc]"],
  ])("rejects %s with a clear message", (expr, why) => {
    expect(() => compileJsonPath(expr)).toThrow(`invalid jsonpath expression "${expr}": ${why}`);
  });
});
