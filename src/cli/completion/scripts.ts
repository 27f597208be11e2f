// Shell completion scripts. Each one asks `talosctl __complete <words...>` for candidates and
// reads the final ":<directive>" line (see complete.ts for the protocol).

export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, program = "talosctl", descriptions = true): string {
  const request = descriptions ? "__complete" : "__completeNoDesc";
  switch (shell) {
    case "bash":
      return bashScript(program);
    case "zsh":
      return zshScript(program, request);
    case "fish":
      return fishScript(program, request);
    case "powershell":
      return powershellScript(program, request);
  }
}

function ident(program: string): string {
  return program.replace(/[^A-Za-z0-9_]/g, "_");
}

function bashScript(program: string): string {
  const fn = `__${ident(program)}_complete`;
  return `# bash completion for ${program}
# Load it with: source <(${program} completion bash)

${fn}() {
    local cur="\${COMP_WORDS[COMP_CWORD]}"
    local -a args=("\${COMP_WORDS[@]:1:COMP_CWORD-1}")
    # Words split at "=" or ":" by readline are joined back, so flags like --output=json work.
    if [[ "\${COMP_WORDBREAKS}" == *"="* ]] && [[ "\${cur}" == "=" || "\${COMP_WORDS[COMP_CWORD-1]}" == "=" ]]; then
        if [[ "\${cur}" == "=" ]]; then
            cur="\${COMP_WORDS[COMP_CWORD-1]}="
            args=("\${COMP_WORDS[@]:1:COMP_CWORD-2}")
        else
            cur="\${COMP_WORDS[COMP_CWORD-2]}=\${cur}"
            args=("\${COMP_WORDS[@]:1:COMP_CWORD-3}")
        fi
    fi

    local out
    out=$("\${COMP_WORDS[0]}" __completeNoDesc "\${args[@]}" "\${cur}" 2>/dev/null) || return 0
    local directive="\${out##*:}"
    local body=""
    if [[ "\${out}" == *$'\\n'* ]]; then
        body="\${out%$'\\n'*}"
    fi
    [[ "\${directive}" =~ ^[0-9]+$ ]] || directive=0

    if (( directive & 1 )); then
        return 0
    fi
    if (( directive & 2 )); then
        compopt -o nospace 2>/dev/null
    fi
    if (( directive & 4 )); then
        compopt +o default 2>/dev/null
    fi

    COMPREPLY=()
    local line prefix=""
    if [[ "\${cur}" == *=* && "\${COMP_WORDBREAKS}" == *"="* ]]; then
        prefix="\${cur%%=*}="
    fi
    while IFS= read -r line; do
        [[ -z "\${line}" ]] && continue
        COMPREPLY+=("\${line#"\${prefix}"}")
    done <<< "\${body}"
}

complete -o default -F ${fn} ${program}
`;
}

function zshScript(program: string, request: string): string {
  const fn = `_${ident(program)}`;
  return `#compdef ${program}
# zsh completion for ${program}
# Load it with: ${program} completion zsh > "\${fpath[1]}/_${program}"

${fn}() {
    local cur="\${words[CURRENT]}"
    local -a args=("\${(@)words[2,CURRENT-1]}")
    local out
    out=$("\${words[1]}" ${request} "\${args[@]}" "\${cur}" 2>/dev/null) || return 1
    local -a lines=("\${(@f)out}")
    local directive="\${lines[-1]#:}"
    lines=("\${(@)lines[1,-2]}")
    (( directive & 1 )) && return 1

    local -a comps
    local line value desc
    for line in "\${lines[@]}"; do
        [[ -z "\${line}" ]] && continue
        value="\${line%%$'\\t'*}"
        value="\${value//:/\\\\:}"
        if [[ "\${line}" == *$'\\t'* ]]; then
            desc="\${line#*$'\\t'}"
            comps+=("\${value}:\${desc}")
        else
            comps+=("\${value}")
        fi
    done

    if (( \${#comps} > 0 )); then
        if (( directive & 2 )); then
            _describe -t values '${program}' comps -S ''
        else
            _describe -t values '${program}' comps
        fi
    elif (( ! (directive & 4) )); then
        _files
    fi
}

if [[ "\${funcstack[1]}" == "${fn}" ]]; then
    ${fn} "$@"
else
    compdef ${fn} ${program}
fi
`;
}

function fishScript(program: string, request: string): string {
  const fn = `__${ident(program)}_complete`;
  return `# fish completion for ${program}
# Load it with: ${program} completion fish | source

function ${fn}
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l out ($tokens[1] ${request} $tokens[2..-1] "$current" 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (math "$directive % 2") -eq 1
        return
    end
    if test (count $out) -eq 0; and test (math "floor($directive / 4) % 2") -eq 0
        __fish_complete_path "$current"
        return
    end
    for line in $out
        echo $line
    end
end

complete -c ${program} -f -a '(${fn})'
`;
}

function powershellScript(program: string, request: string): string {
  return `# powershell completion for ${program}
# Load it with: ${program} completion powershell | Out-String | Invoke-Expression

Register-ArgumentCompleter -CommandName '${program}' -Native -ScriptBlock {
    param($WordToComplete, $CommandAst, $CursorPosition)

    $line = $CommandAst.ToString()
    if ($CursorPosition -lt $line.Length) { $line = $line.Substring(0, $CursorPosition) }
    $words = @($line -split '\\s+' | Where-Object { $_ -ne '' })
    $program = $words[0]
    $rest = @()
    if ($words.Count -gt 1) { $rest = $words[1..($words.Count - 1)] }
    if ($WordToComplete -eq '') { $rest += '' }

    $out = @(& $program ${request} @rest 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = [int]($out[-1].TrimStart(':'))
    if (($directive -band 1) -ne 0) { return }
    $candidates = @()
    if ($out.Count -gt 1) { $candidates = $out[0..($out.Count - 2)] }

    foreach ($c in $candidates) {
        $parts = $c -split "\`t", 2
        $value = $parts[0]
        $desc = if ($parts.Count -gt 1 -and $parts[1] -ne '') { $parts[1] } else { $value }
        [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $desc)
    }
}
`;
}
