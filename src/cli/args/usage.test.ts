import { describe, expect, it } from "vitest";
import { flag } from "./spec.js";
import { flagUsages, renderCommandHelp } from "./usage.js";

describe("flagUsages", () => {
  it("prints pflag's columns, type names and defaults", () => {
    const text = flagUsages([
      ["output", flag.string({ short: "o", default: "table", describe: "output mode" })],
      ["wait", flag.bool({ default: true, describe: "wait" })],
      ["insecure", flag.bool({ short: "i", describe: "insecure" })],
      ["timeout", flag.duration({ default: "30m", describe: "timeout" })],
      ["nodes", flag.stringSlice({ short: "n", describe: "nodes" })],
      ["patch", flag.stringArray({ default: ["a", "b"], describe: "patches" })],
      ["tail", flag.int32({ default: -1, describe: "lines" })],
    ]);
    expect(text).toBe(
      [
        "  -i, --insecure            insecure",
        "  -n, --nodes strings       nodes",
        '  -o, --output string       output mode (default "table")',
        "      --patch stringArray   patches (default [a,b])",
        "      --tail int32          lines (default -1)",
        "      --timeout duration    timeout (default 30m0s)",
        "      --wait                wait (default true)",
        "",
      ].join("\n"),
    );
  });
});

describe("renderCommandHelp", () => {
  it("lays out cobra's sections, global flags apart, hidden and deprecated flags left out", () => {
    const help = renderCommandHelp({
      commandPath: "talosctl get",
      name: "get",
      use: "<type> [<id>]",
      describe: "Get a specific resource or list of resources",
      aliases: ["g"],
      examples: [["$0 members", "list members"]],
      flags: {
        watch: flag.bool({ short: "w", describe: "watch resource changes" }),
        nodes: flag.stringSlice({ short: "n", global: true, describe: "target the specified nodes" }),
        secret: flag.bool({ hidden: true, describe: "hidden" }),
        old: flag.bool({ deprecated: "gone", describe: "old" }),
      },
    });
    expect(help).toBe(
      [
        "Get a specific resource or list of resources",
        "",
        "Usage:",
        "  talosctl get <type> [<id>] [flags]",
        "",
        "Aliases:",
        "  get, g",
        "",
        "Examples:",
        "  # list members",
        "  talosctl get members",
        "",
        "Flags:",
        "  -h, --help    help for get",
        "  -w, --watch   watch resource changes",
        "",
        "Global Flags:",
        "  -n, --nodes strings   target the specified nodes",
        "",
      ].join("\n"),
    );
  });
});
