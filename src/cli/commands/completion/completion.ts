// talosctl completion SHELL: prints the shell's completion script.
import type { Argv } from "yargs";
import { UserError } from "../../../errors.js";
import { bool, defineCommand, str } from "../../command.js";
import { completionScript, SHELLS, type Shell } from "../../completion/scripts.js";

export const command = defineCommand({
  args: "<shell>",
  builder: (y: Argv) =>
    y
      .positional("shell", { type: "string", describe: `one of: ${SHELLS.join(", ")}` })
      .option("no-descriptions", {
        type: "boolean",
        default: false,
        describe: "disable completion descriptions",
      })
      .example("source <($0 bash)", "load completions in the current bash shell")
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh expression, not a template
      .example('$0 zsh > "${fpath[1]}/_talosctl"', "install completions for zsh")
      .example("$0 fish | source", "load completions in fish")
      .example("$0 powershell | Out-String | Invoke-Expression", "load completions in PowerShell"),
  completePositional: (index) => (index === 0 ? [...SHELLS] : []),
  async handler(args, ctx) {
    const shell = str(args, "shell") ?? "";
    if (!(SHELLS as readonly string[]).includes(shell)) {
      throw new UserError(`unsupported shell "${shell}": use one of ${SHELLS.join(", ")}`);
    }
    ctx.stdout.write(completionScript(shell as Shell, "talosctl", !bool(args, "no-descriptions")));
  },
});
