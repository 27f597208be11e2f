# fish completion for talosctl
# Load it with: talosctl completion fish | source

function __talosctl_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] "$current" 2>/dev/null)
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

complete -c talosctl -f -a '(__talosctl_complete)'
