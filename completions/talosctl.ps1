# powershell completion for talosctl
# Load it with: talosctl completion powershell | Out-String | Invoke-Expression

Register-ArgumentCompleter -CommandName 'talosctl' -Native -ScriptBlock {
    param($WordToComplete, $CommandAst, $CursorPosition)

    $line = $CommandAst.ToString()
    if ($CursorPosition -lt $line.Length) { $line = $line.Substring(0, $CursorPosition) }
    $words = @($line -split '\s+' | Where-Object { $_ -ne '' })
    $program = $words[0]
    $rest = @()
    if ($words.Count -gt 1) { $rest = $words[1..($words.Count - 1)] }
    if ($WordToComplete -eq '') { $rest += '' }

    $out = @(& $program __complete @rest 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = [int]($out[-1].TrimStart(':'))
    if (($directive -band 1) -ne 0) { return }
    $candidates = @()
    if ($out.Count -gt 1) { $candidates = $out[0..($out.Count - 2)] }

    foreach ($c in $candidates) {
        $parts = $c -split "`t", 2
        $value = $parts[0]
        $desc = if ($parts.Count -gt 1 -and $parts[1] -ne '') { $parts[1] } else { $value }
        [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $desc)
    }
}
