#!/usr/bin/env bash
# Installs StreamTap: system libraries, a release build with the Swift standard library linked
# in (the binaries then run where no Swift is installed), the binaries, man pages and shell
# completions. Run from anywhere; safe to run again (it replaces what it installed before).
#
#   ./install.sh                    # into ~/.local (bin, share/man/man1, completions)
#   ./install.sh --prefix /usr/local
#   ./install.sh --uninstall [--prefix DIR]
#   ./install.sh --skip-build       # install the existing .build/release binaries
#   ./install.sh --no-deps          # do not check or install Debian packages
set -euo pipefail

usage() {
    sed -n '2,11s/^# \{0,1\}//p' "$0"
}

prefix=${PREFIX:-$HOME/.local}
action=install
build=1
deps=1
while (($#)); do
    case $1 in
    --prefix) [[ $# -ge 2 ]] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --uninstall) action=uninstall ;;
    --skip-build) build=0 ;;
    --no-deps) deps=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ $prefix == /* ]] || prefix=$PWD/$prefix

cd "$(dirname "$0")"
bin_dir=$prefix/bin
man_dir=$prefix/share/man/man1
bash_dir=$prefix/share/bash-completion/completions
zsh_dir=$prefix/share/zsh/site-functions
fish_dir=$prefix/share/fish/vendor_completions.d
manifest=$prefix/share/streamtap/installed-files.txt

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# Removes the files a previous install listed in its manifest (all of them, or those not in $1).
remove_listed() {
    local keep=${1:-} f
    [[ -f $manifest ]] || return 0
    while IFS= read -r f; do
        [[ -n $f ]] || continue
        if [[ -n $keep ]] && grep -qxF -- "$f" "$keep"; then continue; fi
        rm -f -- "$f"
    done <"$manifest"
}

if [[ $action == uninstall ]]; then
    if [[ ! -f $manifest ]]; then
        say "nothing to uninstall under $prefix (no $manifest)"
        exit 0
    fi
    count=$(grep -c . "$manifest" || true)
    remove_listed
    rm -f -- "$manifest"
    rmdir -- "$(dirname "$manifest")" 2>/dev/null || true
    say "removed $count file(s) from $prefix"
    exit 0
fi

# --- system packages -----------------------------------------------------------------------
# Headers and libraries the build links (hiredis, PCRE2, libcrypto, zlib); the runtime
# libraries come with them.
packages=(libhiredis-dev libpcre2-dev libssl-dev zlib1g-dev)
if ((deps)) && command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if ((${#missing[@]})); then
        sudo=()
        if [[ $(id -u) -ne 0 ]]; then
            if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
                sudo=(sudo)
            else
                die "missing Debian packages: ${missing[*]}
install them as root, then run ./install.sh again:
    apt-get install -y ${missing[*]}"
            fi
        fi
        say "installing ${missing[*]}"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
elif ((deps)); then
    say "not a Debian system: make sure hiredis, PCRE2, OpenSSL (libcrypto) and zlib development files are installed"
fi

# --- build ---------------------------------------------------------------------------------
if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    PATH=/opt/swift/usr/bin:$PATH
fi
command -v swift >/dev/null 2>&1 || die "no Swift toolchain on PATH (Swift 6.2 or newer: https://www.swift.org/install/)"

# Every executable product of the package, from the manifest (no jq or python needed).
mapfile -t products < <(swift package describe 2>/dev/null |
    awk '/^    Name: /{name=$2} /^        Executable/{print name}')
((${#products[@]})) || die "found no executable products (swift package describe failed?)"

if ((build)); then
    say "building ${#products[@]} tools (release, static Swift standard library); this takes a while"
    # One product at a time: a plain release build would also build the test-support library,
    # which imports XCTest (only available to test builds) and fails. The extract tools that
    # neither hash nor use the network are linked fully static (Package.swift, `fullyStatic`):
    # the linker then warns that dlopen and getpw*_r need the same glibc at run time; those
    # tools call neither.
    for tool in "${products[@]}"; do
        say "building $tool"
        swift build -c release --static-swift-stdlib --product "$tool"
    done
fi
release=$(swift build -c release --show-bin-path)

# --- install -------------------------------------------------------------------------------
mkdir -p "$bin_dir" "$man_dir" "$bash_dir" "$zsh_dir" "$fish_dir" "$(dirname "$manifest")"
new_manifest=$(mktemp)
trap 'rm -f "$new_manifest"' EXIT
installed=()
skipped=()
for tool in "${products[@]}"; do
    src=$release/$tool
    if [[ ! -x $src ]]; then
        skipped+=("$tool (not built)")
        continue
    fi
    # A tool whose issue has not landed is a placeholder that only prints "not built yet".
    if "$src" --help 2>&1 | grep -q 'not built yet'; then
        skipped+=("$tool (placeholder)")
        continue
    fi
    install -m 0755 "$src" "$bin_dir/$tool"
    echo "$bin_dir/$tool" >>"$new_manifest"
    if [[ -f man/$tool.1 ]]; then
        install -m 0644 "man/$tool.1" "$man_dir/$tool.1"
        echo "$man_dir/$tool.1" >>"$new_manifest"
    fi
    # Completions from the binary itself (swift-argument-parser), so they match its options;
    # the committed completions/ files are the fallback.
    for shell in bash zsh fish; do
        case $shell in
        bash) dest=$bash_dir/$tool committed=completions/bash/$tool.bash ;;
        zsh) dest=$zsh_dir/_$tool committed=completions/zsh/_$tool ;;
        fish) dest=$fish_dir/$tool.fish committed=completions/fish/$tool.fish ;;
        esac
        if "$src" --generate-completion-script "$shell" >"$dest.tmp" 2>/dev/null && [[ -s $dest.tmp ]]; then
            chmod 0644 "$dest.tmp"
            mv -f "$dest.tmp" "$dest"
        elif [[ -f $committed ]]; then
            rm -f "$dest.tmp"
            install -m 0644 "$committed" "$dest"
        else
            rm -f "$dest.tmp"
            continue
        fi
        echo "$dest" >>"$new_manifest"
    done
    installed+=("$tool")
done
((${#installed[@]})) || die "no tool was built (skipped: ${skipped[*]:-none})"

# Files of an earlier install that this one no longer has (a renamed tool) go away.
remove_listed "$new_manifest"
sort -u "$new_manifest" >"$manifest"

# --- check ---------------------------------------------------------------------------------
# The installed binaries must run with no Swift on PATH and link no Swift runtime library.
for tool in "${installed[@]}"; do
    if ! env -i PATH=/usr/bin:/bin HOME="$HOME" "$bin_dir/$tool" --help >/dev/null 2>&1; then
        die "$bin_dir/$tool --help failed"
    fi
    if command -v ldd >/dev/null 2>&1; then
        libs=$(ldd "$bin_dir/$tool" 2>&1 || true)
        if grep -q 'libswift' <<<"$libs"; then
            die "$bin_dir/$tool links a Swift runtime library: $(grep libswift <<<"$libs" | head -1)"
        fi
        if grep -q 'not found' <<<"$libs"; then
            die "$bin_dir/$tool misses a library: $(grep 'not found' <<<"$libs" | head -1)"
        fi
    fi
done

say "installed ${#installed[@]} tool(s) into $bin_dir: ${installed[*]}"
((${#skipped[@]} == 0)) || say "skipped: ${skipped[*]}"
say "man pages in $man_dir; completions for bash, zsh and fish under $prefix/share"
case ":$PATH:" in
*":$bin_dir:"*) ;;
*) say "add $bin_dir to PATH, e.g.: export PATH=\"$bin_dir:\$PATH\"" ;;
esac
