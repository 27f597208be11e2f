import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type { SurfaceCall } from "./call.js";
import { checkRouting, decideRoute, localTargets } from "./routing.js";

function call(entries: [string, string][]): SurfaceCall {
  const metadata = new grpc.Metadata();
  for (const [k, v] of entries) metadata.add(k, v);
  return { metadata } as unknown as SurfaceCall;
}

const isLocal = localTargets(
  () => ["10.5.0.2"],
  () => ["node-1"],
);
const VERSION = "/machine.MachineService/Version";

describe("routing", () => {
  it("serves calls without routing metadata or naming this node", () => {
    for (const md of [
      [],
      [["node", "10.5.0.2"]],
      [["node", "NODE-1"]],
      [["nodes", "localhost"]],
      [
        ["proxyfrom", "x"],
        ["node", "9.9.9.9"],
      ],
    ] as [string, string][][]) {
      expect(() => checkRouting(call(md), VERSION, isLocal)).not.toThrow();
    }
  });

  it("refuses what apid refuses", () => {
    const cases: [[string, string][], string, number, string][] = [
      [[["node", "10.5.0.3"]], VERSION, grpc.status.PERMISSION_DENIED, "no request forwarding"],
      [[["node", "10.5.0.2:50000"]], VERSION, grpc.status.INTERNAL, 'invalid target "10.5.0.2:50000"'],
      [
        [
          ["node", "a"],
          ["node", "b"],
        ],
        VERSION,
        grpc.status.INVALID_ARGUMENT,
        "node metadata must be single-valued",
      ],
      [
        [["nodes", "10.5.0.2,node-1"]],
        "/cosi.resource.State/Get",
        grpc.status.INVALID_ARGUMENT,
        "one-2-many proxying is not supported for method /cosi.resource.State/Get",
      ],
    ];
    for (const [md, path, code, details] of cases) {
      expect(() => checkRouting(call(md), path, isLocal)).toThrow(
        expect.objectContaining({ grpcCode: code, message: details }),
      );
    }
  });

  it("routes away from a node that can forward", () => {
    const route = (md: [string, string][], path = VERSION) => decideRoute(call(md), path, isLocal, true);
    expect(route([])).toEqual({ kind: "local" });
    expect(route([["node", "10.5.0.2"]])).toEqual({ kind: "local" });
    expect(route([["node", "10.5.0.3"]])).toEqual({ kind: "one", target: "10.5.0.3" });
    expect(
      route([
        ["proxyfrom", "10.5.0.9"],
        ["node", "10.5.0.3"],
      ]),
    ).toEqual({ kind: "local" });
    // `nodes` wins over `node`, and is aggregated even when it names this node.
    expect(
      route([
        ["node", "10.5.0.4"],
        ["nodes", "10.5.0.2,10.5.0.3"],
      ]),
    ).toEqual({ kind: "many", targets: ["10.5.0.2", "10.5.0.3"] });
    expect(route([["nodes", "10.5.0.3"]], "/cosi.resource.State/Get")).toEqual({
      kind: "one",
      target: "10.5.0.3",
    });
    expect(() => route([["node", "10.5.0.3:50000"]])).toThrow('invalid target "10.5.0.3:50000"');
    expect(() => route([["nodes", "a,b"]], "/cosi.resource.State/Get")).toThrow(
      "one-2-many proxying is not supported for method /cosi.resource.State/Get",
    );
  });
});
