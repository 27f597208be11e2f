// talosctl completion SHELL: prints the shell's completion script.
import { UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import { completionScript, SHELLS, type Shell } from "../../completion/scripts.js";

export const command = defineCommand({
  use: "<shell>",
  args: args.exact(1),
  flags: {
    "no-descriptions": flag.bool({ describe: "disable completion descriptions" }),
  },
  examples: [
    // The help replaces $0 only at the start of an example.
    ["source <(talosctl completion bash)", "load completions in the current bash shell"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a zsh expression, not a template
    ['$0 zsh > "${fpath[1]}/_talosctl"', "install completions for zsh"],
    ["$0 fish | source", "load completions in fish"],
    ["$0 powershell | Out-String | Invoke-Expression", "load completions in PowerShell"],
  ],
  completePositional: (index) => (index === 0 ? [...SHELLS] : []),
  async handler({ flags, args: [shell = ""] }, ctx) {
    if (!(SHELLS as readonly string[]).includes(shell)) {
      throw new UserError(`unsupported shell "${shell}": use one of ${SHELLS.join(", ")}`);
    }
    ctx.stdout.write(completionScript(shell as Shell, "talosctl", !flags["no-descriptions"]));
  },
});
