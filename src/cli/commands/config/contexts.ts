// talosctl config contexts: lists the contexts, marking the current one.
import { openClientConfig, sortedContextNames } from "../../../clientconfig/index.js";
import { defineCommand } from "../../command.js";
import { connectionFlags, outputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable, writeValue } from "../../output/index.js";

const FORMATS = ["table", "json", "yaml"] as const;
/** The table shows at most this many nodes per context, then "...". */
const MAX_TABLE_NODES = 3;

interface ContextRow {
  name: string;
  current: boolean;
  endpoints: string[];
  nodes: string[];
}

export const command = defineCommand({
  flags: { ...connectionFlags, ...outputFlag(FORMATS, "table") },
  examples: [["$0 -o json", "list the contexts as JSON"]],
  async handler({ flags }, ctx) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const { config } = openClientConfig({
      path: flags.talosconfig,
      env: ctx.env,
      homedir: ctx.homedir,
      cwd: ctx.cwd,
    });
    const rows: ContextRow[] = sortedContextNames(config).map((name) => {
      const c = config.contexts[name]!;
      return {
        name,
        current: name === config.context,
        endpoints: [...c.endpoints],
        nodes: [...(c.nodes ?? [])],
      };
    });
    if (format.kind !== "table") {
      writeValue(ctx.stdout, rows, format);
      return;
    }
    ctx.stdout.write(
      renderTable(
        ["CURRENT", "NAME", "ENDPOINTS", "NODES"],
        rows.map((r) => [
          r.current ? "*" : "",
          r.name,
          r.endpoints.join(","),
          r.nodes.length > MAX_TABLE_NODES
            ? `${r.nodes.slice(0, MAX_TABLE_NODES).join(",")}...`
            : r.nodes.join(","),
        ]),
      ),
    );
  },
});
