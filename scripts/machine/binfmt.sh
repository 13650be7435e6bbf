# shellcheck shell=bash disable=SC2034
# Step 2: binfmt_misc with QEMU, so linux/arm64 can be built on an amd64 machine.

# Set by enable_binfmt: the platforms this machine can build, space-separated.
SOLERA_PLATFORMS=""

# host_platform: the machine's own platform in OCI form (linux/amd64, linux/arm64).
host_platform() {
  case "$(uname -m)" in
    x86_64) echo linux/amd64 ;;
    aarch64 | arm64) echo linux/arm64 ;;
    *) die "no stand-ins for machine type $(uname -m)" ;;
  esac
}

# enable_binfmt: register qemu-aarch64 with the F flag and prove it runs an arm64 binary.
# The F (fix-binary) flag makes the kernel open the interpreter at registration, so it works
# inside containers and chroots whose root file system has no QEMU in it.
enable_binfmt() {
  local host entry=/proc/sys/fs/binfmt_misc/qemu-aarch64
  host=$(host_platform)
  SOLERA_PLATFORMS=$host
  if [ "$host" = linux/arm64 ]; then
    warn "binfmt: this is an arm64 machine; linux/amd64 stand-ins are not made here"
    return 0
  fi

  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    say "binfmt: mounting binfmt_misc on /proc/sys/fs/binfmt_misc"
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null \
      || { warn "binfmt: cannot mount binfmt_misc (not allowed in this container?); linux/arm64 cannot be built"; return 0; }
  fi
  if [ ! -e "$entry" ] || ! grep -q '^enabled' "$entry"; then
    say "binfmt: enabling qemu-aarch64 through update-binfmts"
    update-binfmts --enable qemu-aarch64 >&2 || true
  fi
  if [ ! -e "$entry" ]; then
    warn "binfmt: qemu-aarch64 is not registered (is qemu-user-static installed?); linux/arm64 cannot be built"
    return 0
  fi
  if ! grep -q '^flags:.*F' "$entry"; then
    warn "binfmt: qemu-aarch64 lacks the F flag, so arm64 binaries will not run inside containers; linux/arm64 cannot be built"
    return 0
  fi

  if ! binfmt_runs_arm64; then
    warn "binfmt: qemu-aarch64 is registered but an arm64 binary did not run; linux/arm64 cannot be built"
    return 0
  fi
  say "binfmt: qemu-aarch64 registered with flags $(sed -n 's/^flags: //p' "$entry"); arm64 binaries run"
  SOLERA_PLATFORMS="$host linux/arm64"
}

# binfmt_runs_arm64: true when the kernel hands an arm64 program to QEMU and it runs.
# The probe is a 132-byte static aarch64 ELF (written here by hand: movz x0,#42; movz x8,#93
# (exit); svc #0) that exits with 42, so a 42 proves it ran rather than failed to start.
binfmt_runs_arm64() {
  local probe status
  probe=$(mktemp)
  base64 -d >"$probe" <<'ELF'
f0VMRgIBAQAAAAAAAAAAAAIAtwABAAAAeABAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAEAAOAAB
AEAAAAAAAAEAAAAFAAAAAAAAAAAAAAAAAEAAAAAAAAAAQAAAAAAAhAAAAAAAAACEAAAAAAAAAAAA
AQAAAAAAQAWA0qgLgNIBAADU
ELF
  chmod +x "$probe"
  status=0
  "$probe" 2>/dev/null || status=$?
  rm -f "$probe"
  [ "$status" = 42 ]
}
