#!/usr/bin/env bash
# Regenerates completions/{bash,zsh,fish}/ from the tools themselves (swift-argument-parser's
# --generate-completion-script), so the committed completions always match the options.
#
#   scripts/gen-completions.sh           # from the existing debug build
#   scripts/gen-completions.sh --build   # swift build first
#
# Files: completions/bash/<tool>.bash, completions/zsh/_<tool>, completions/fish/<tool>.fish.
# A tool that is not built, or is still the placeholder printing "not built yet", is skipped
# (its old completion files, if any, are left alone) and listed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then PATH=/opt/swift/usr/bin:$PATH; fi
case ${1:-} in
--build) swift build ;;
"") ;;
*) echo "usage: scripts/gen-completions.sh [--build]" >&2; exit 2 ;;
esac

bin=$(swift build --show-bin-path)
mapfile -t tools < <(swift package describe 2>/dev/null | awk '/^    Name: /{name=$2} /^        Executable/{print name}')
((${#tools[@]})) || { echo "gen-completions.sh: found no executable products" >&2; exit 2; }

mkdir -p completions/bash completions/zsh completions/fish
generated=()
skipped=()
for tool in "${tools[@]}"; do
    exe=$bin/$tool
    if [[ ! -x $exe ]]; then skipped+=("$tool (not built)"); continue; fi
    if "$exe" --help 2>&1 | grep -q 'not built yet'; then skipped+=("$tool (placeholder)"); continue; fi
    for shell in bash zsh fish; do
        case $shell in
        bash) out=completions/bash/$tool.bash ;;
        zsh) out=completions/zsh/_$tool ;;
        fish) out=completions/fish/$tool.fish ;;
        esac
        "$exe" --generate-completion-script "$shell" >"$out.tmp"
        [[ -s $out.tmp ]] || { echo "gen-completions.sh: $tool wrote an empty $shell script" >&2; rm -f "$out.tmp"; exit 1; }
        mv "$out.tmp" "$out"
    done
    generated+=("$tool")
done
echo "gen-completions.sh: ${#generated[@]} tool(s): ${generated[*]:-none}"
((${#skipped[@]} == 0)) || echo "gen-completions.sh: skipped ${skipped[*]}"
