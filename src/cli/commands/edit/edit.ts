// talosctl edit machineconfig: opens each node's running config in $TALOS_EDITOR / $EDITOR
// (vi otherwise), one node after another, and applies what was saved. A config that does
// not load, or that the node refuses, comes back in the editor with the error on top.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  ACTIVE_CONFIG_ID,
  type ApplyMode,
  type ApplyResult,
  applyConfiguration,
  applyResultJson,
  checkServerVersions,
  fetchMachineConfig,
  formatApplyResult,
  isEmptyConfig,
  type NodeClient,
  NodeError,
  openClient,
  parseApplyMode,
  requireMachineConfigType,
  sameConfigData,
  toRpcError,
} from "../../../client/index.js";
import { loadMachineConfig } from "../../../config/load/index.js";
import { errorMessage, JoinedError, UserError } from "../../../errors.js";
import { TALOS_VERSION } from "../../../version.js";
import { applyModeFlags } from "../../apply-flags.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";

export const command = defineCommand({
  use: "machineconfig",
  args: args.range(1, 2),
  flags: {
    ...connectionFlags,
    ...outputFlag(["text", "json"], "text"),
    ...applyModeFlags,
    "dry-run": flag.bool({
      describe: "do not apply the change after editing and print the change summary instead",
    }),
    namespace: flag.string({ hidden: true, describe: "unused" }),
  },
  examples: [
    ["$0 machineconfig -n 10.5.0.2", "edit one node's config"],
    ["TALOS_EDITOR='code --wait' $0 mc -n 10.5.0.2 --mode staged", "with another editor, applied on reboot"],
  ],
  completePositional: (index) => (index === 0 ? ["machineconfig"] : []),
  async handler({ flags, args }, ctx: CliContext) {
    const mode = parseApplyMode(flags.mode);
    const format = parseOutputFormat(flags.output, ["text", "json"]);
    const apply: ApplySettings = { mode, tryModeTimeout: flags.timeout, dryRun: flags["dry-run"] };

    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const check = await checkServerVersions(client, nodes, TALOS_VERSION);
      if (check.warning) ctx.stderr.write(`${check.warning}\n`);
      const errors: Error[] = [...check.failed.values()];
      const reachable = nodes.filter((n) => !check.failed.has(n));
      if (reachable.length === 0) throw new JoinedError(errors);
      const definition = await requireMachineConfigType(client.forNode(reachable[0]!), args[0]!);
      const resourceName = `${definition.type}/${ACTIVE_CONFIG_ID}`;

      for (const node of reachable) {
        const target = client.forNode(node);
        let current: string;
        try {
          current = await fetchMachineConfig(target);
        } catch (err) {
          errors.push(
            new NodeError(node, `error getting machine config from node ${node}: ${toRpcError(err).message}`),
          );
          continue;
        }
        const outcome = await editOnNode(ctx, target, resourceName, current, apply);
        const prefix = nodes.length > 1 ? `${node}: ` : "";
        if (format.kind === "json") {
          ctx.stdout.write(
            `${JSON.stringify(
              outcome.kind === "applied"
                ? { ...applyResultJson(node, outcome.result), changed: true }
                : { node, changed: false, skipped: outcome.reason },
              null,
              2,
            )}\n`,
          );
        } else if (outcome.kind === "applied") {
          ctx.stderr.write(formatApplyResult(outcome.result, prefix));
        } else {
          ctx.stderr.write(`${prefix}Apply was skipped: ${outcome.reason}.\n`);
        }
      }
      if (errors.length > 0) throw new JoinedError(errors);
    } finally {
      client.close();
    }
  },
});

interface ApplySettings {
  readonly mode: ApplyMode;
  readonly dryRun: boolean;
  readonly tryModeTimeout: bigint;
}

type EditOutcome = { kind: "applied"; result: ApplyResult } | { kind: "skipped"; reason: string };

/**
 * The edit loop of one node: edit, check locally, apply; on failure reopen with the error on
 * top. Saving the same text again after an error gives up, keeping a copy of the changes.
 */
async function editOnNode(
  ctx: CliContext,
  node: NodeClient,
  resourceName: string,
  original: string,
  apply: ApplySettings,
): Promise<EditOutcome> {
  const header = `# Editing ${resourceName} at node ${node.node}\n`;
  const file = path.join(
    ctx.env.TMPDIR || os.tmpdir(),
    `${resourceName.replace(/\//g, "-")}-edit-${randomBytes(6).toString("hex")}.yaml`,
  );
  let body = original;
  let problem: string | undefined;
  let keepFile = false;
  try {
    for (;;) {
      const errorBlock =
        problem === undefined
          ? ""
          : `${problem
              .split("\n")
              .map((l) => `# ${l}`.trimEnd())
              .join("\n")}\n#\n`;
      fs.writeFileSync(file, errorBlock + header + body, { mode: 0o600 });
      await runEditor(ctx, file);
      const saved = stripLeadingComments(fs.readFileSync(file, "utf8"));
      if (isEmptyConfig(saved)) return { kind: "skipped", reason: "empty file" };
      if (problem !== undefined && saved === body) {
        keepFile = true;
        throw new UserError(
          `A copy of your changes has been stored to "${file}"\nEdit canceled, no valid changes were saved.`,
        );
      }
      if (unchanged(original, saved)) return { kind: "skipped", reason: "no changes detected" };
      body = saved;
      try {
        loadMachineConfig(saved, { file: path.basename(file) });
      } catch (err) {
        problem = errorMessage(err);
        continue;
      }
      try {
        return { kind: "applied", result: await applyConfiguration(node, { data: saved, ...apply }) };
      } catch (err) {
        problem = `error applying configuration: ${toRpcError(err, ctx.signal.aborted).message}`;
        if (ctx.signal.aborted) throw new UserError(problem);
      }
    }
  } finally {
    if (!keepFile) fs.rmSync(file, { force: true });
  }
}

function unchanged(original: string, saved: string): boolean {
  try {
    return sameConfigData(original, saved);
  } catch {
    // Not even YAML: certainly a change (and the loader will say what is wrong).
    return false;
  }
}

/** Drops the comment lines at the top (our header and any error block). */
function stripLeadingComments(text: string): string {
  const lines = text.split("\n");
  let i = 0;
  while (i < lines.length && lines[i]!.trimStart().startsWith("#")) i++;
  return lines.slice(i).join("\n");
}

/** Runs the user's editor on the file and waits for it to exit. */
function runEditor(ctx: CliContext, file: string): Promise<void> {
  const editor = (ctx.env.TALOS_EDITOR || ctx.env.EDITOR || "vi").trim();
  // An editor with arguments ("code --wait") goes through the shell, as users expect.
  const [program, argv] = /\s/.test(editor)
    ? ["/bin/sh", ["-c", `${editor} "$1"`, "sh", file]]
    : [editor, [file]];
  return new Promise((resolve, reject) => {
    const child = spawn(program, argv, {
      stdio: "inherit",
      env: { ...ctx.env } as NodeJS.ProcessEnv,
      cwd: ctx.cwd,
    });
    child.on("error", (err) =>
      reject(new UserError(`cannot start editor "${editor}": ${err.message}`, { cause: err })),
    );
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new UserError(`editor "${editor}" exited with ${signal ? `signal ${signal}` : `status ${code}`}`),
        );
    });
  });
}
