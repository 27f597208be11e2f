// talosctl cgroups (cg): one node's cgroup v2 tree with a preset's columns (or a schema file's),
// read from a copy of its /sys/fs/cgroup; -o json gives one object per group.
import fs from "node:fs";
import path from "node:path";
import {
  type CgroupNode,
  CgroupsReadError,
  type Column,
  fetchCgroupTree,
  PRESET_NAMES,
  PRESETS,
  parseSchema,
  printTree,
  Schema,
  SchemaError,
  TemplateError,
} from "../../../client/cgroups/index.js";
import { openClient, requireOneNode } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

function columnsFrom(flags: { "schema-file": string; preset: string }, cwd: string): Column[] {
  if (flags["schema-file"] !== "" && flags.preset !== "") {
    throw new UserError(
      "if any flags in the group [schema-file preset] are set none of the others can be; [preset schema-file] were all set",
    );
  }
  if (flags["schema-file"] !== "") {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, flags["schema-file"]), "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "no such file or directory"
          : code === "EACCES"
            ? "permission denied"
            : code === "EISDIR"
              ? "is a directory"
              : String(err);
      throw new UserError(`error opening schema file: open ${flags["schema-file"]}: ${why}`, { cause: err });
    }
    try {
      return parseSchema(text);
    } catch (err) {
      if (err instanceof SchemaError)
        throw new UserError(`error decoding schema file: ${err.message}`, { cause: err });
      throw err;
    }
  }
  if (flags.preset !== "") {
    const preset = PRESETS[flags.preset];
    if (!preset)
      throw new UserError(`invalid preset name: ${flags.preset} (valid [${PRESET_NAMES.join(" ")}])`);
    return [...preset];
  }
  throw new UserError("either schema file or preset must be specified");
}

function compile(columns: Column[]): Schema {
  try {
    return new Schema(columns);
  } catch (err) {
    if (err instanceof TemplateError)
      throw new UserError(`error compiling schema: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Each group as `{path, columns}`, the tree walked in the printed order. */
function jsonRows(schema: Schema, root: CgroupNode): { path: string; columns: Record<string, string> }[] {
  const out: { path: string; columns: Record<string, string> }[] = [];
  const visit = (p: string, node: CgroupNode, parent: CgroupNode | null): void => {
    const data = Object.assign(Object.create(node) as object, { Parent: parent });
    const cells = schema.render(data).split("\t");
    out.push({
      path: p,
      columns: Object.fromEntries(schema.columns.map((c, i) => [c.name, (cells[i] ?? "").trim()])),
    });
    for (const name of node.sortedChildren())
      visit(p === "." ? name : `${p}/${name}`, node.Children.get(name)!, node);
  };
  visit(".", root, null);
  return out;
}

export const command = defineCommand({
  long: `The cgroups command fetches control group v2 (cgroupv2) usage details from the machine.
Several presets are available to focus on specific cgroup subsystems:

* cpu
* cpuset
* io
* memory
* process
* swap

You can specify the preset using the --preset flag.

Alternatively, a custom schema can be provided using the --schema-file flag.`,
  args: args.none,
  flags: {
    ...connectionFlags,
    "schema-file": flag.string({
      describe: "path to the columns schema file",
      completeFiles: ["yaml", "yml"],
    }),
    preset: flag.string({
      describe: `preset name (one of: [${PRESET_NAMES.join(" ")}])`,
      choices: PRESET_NAMES,
    }),
    "skip-cri-resolve": flag.bool({ describe: "do not resolve cgroup names via a request to CRI" }),
    ...outputFlag(FORMATS, "table"),
  },
  examples: [
    ["$0 --preset memory", "memory use, protections and limits of each group"],
    ["$0 --preset process", "the processes of each group"],
    ["$0 --schema-file columns.yaml", "columns of your own (Go templates)"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const schema = compile(columnsFrom(flags, ctx.cwd));
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("cgroups", nodes);
      let tree: CgroupNode;
      try {
        tree = await fetchCgroupTree(client.forNode(node), {
          skipCriResolve: flags["skip-cri-resolve"],
          warn: (message) => ctx.stderr.write(`WARNING: ${message}\n`),
          signal: ctx.signal,
        });
      } catch (err) {
        if (err instanceof CgroupsReadError) throw new UserError(err.message, { cause: err });
        throw err;
      }
      if (format.kind === "json") {
        for (const row of jsonRows(schema, tree)) ctx.stdout.write(`${JSON.stringify({ node, ...row })}\n`);
        return;
      }
      let lines: string[];
      try {
        lines = printTree(schema, tree);
      } catch (err) {
        if (err instanceof TemplateError) throw new UserError(err.message, { cause: err });
        throw err;
      }
      const rows = lines.map((l) => l.split("\t"));
      ctx.stdout.write(renderTable(["NAME", ...schema.columns.map((c) => c.name)], rows));
    } finally {
      client.close();
    }
  },
});
