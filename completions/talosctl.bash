# bash completion for talosctl
# Load it with: source <(talosctl completion bash)

__talosctl_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local -a args=("${COMP_WORDS[@]:1:COMP_CWORD-1}")
    # Words split at "=" or ":" by readline are joined back, so flags like --output=json work.
    if [[ "${COMP_WORDBREAKS}" == *"="* ]] && [[ "${cur}" == "=" || "${COMP_WORDS[COMP_CWORD-1]}" == "=" ]]; then
        if [[ "${cur}" == "=" ]]; then
            cur="${COMP_WORDS[COMP_CWORD-1]}="
            args=("${COMP_WORDS[@]:1:COMP_CWORD-2}")
        else
            cur="${COMP_WORDS[COMP_CWORD-2]}=${cur}"
            args=("${COMP_WORDS[@]:1:COMP_CWORD-3}")
        fi
    fi

    local out
    out=$("${COMP_WORDS[0]}" __completeNoDesc "${args[@]}" "${cur}" 2>/dev/null) || return 0
    local directive="${out##*:}"
    local body=""
    if [[ "${out}" == *$'\n'* ]]; then
        body="${out%$'\n'*}"
    fi
    [[ "${directive}" =~ ^[0-9]+$ ]] || directive=0

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
    if [[ "${cur}" == *=* && "${COMP_WORDBREAKS}" == *"="* ]]; then
        prefix="${cur%%=*}="
    fi
    while IFS= read -r line; do
        [[ -z "${line}" ]] && continue
        COMPREPLY+=("${line#"${prefix}"}")
    done <<< "${body}"
}

complete -o default -F __talosctl_complete talosctl
