# Sourced by scripts: install missing tools from Debian's packages, saying so.

apt_install() {
    echo "rt0: installing $* with apt-get (missing on this machine)" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >&2
}

ensure_qemu() {
    command -v qemu-x86_64 >/dev/null 2>&1 || apt_install qemu-user
    command -v qemu-x86_64 >/dev/null 2>&1 || { echo "rt0: qemu-x86_64 still missing" >&2; exit 1; }
}

# The traceback tests' oracles (tests/traceback.rs): addr2line, nm, strip
# and objdump from binutils, and gdb.
ensure_debug_tools() {
    local missing=()
    for t in addr2line nm strip objdump; do
        command -v "$t" >/dev/null 2>&1 || { missing+=(binutils); break; }
    done
    command -v gdb >/dev/null 2>&1 || missing+=(gdb)
    if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
    command -v addr2line >/dev/null 2>&1 && command -v gdb >/dev/null 2>&1 ||
        { echo "rt0: addr2line or gdb still missing" >&2; exit 1; }
}

ensure_go() {
    command -v go >/dev/null 2>&1 || apt_install golang-go
}

ensure_wrk() {
    command -v wrk >/dev/null 2>&1 || apt_install wrk
}

ensure_hyperfine() {
    command -v hyperfine >/dev/null 2>&1 || apt_install hyperfine
}

ensure_valgrind() {
    command -v valgrind >/dev/null 2>&1 || apt_install valgrind
}
