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
