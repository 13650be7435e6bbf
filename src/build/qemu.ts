import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, UserError } from "../errors.ts";

// binfmt_misc names the emulators after QEMU's architecture names, not Docker's.
const QEMU_ARCH: Record<string, string> = {
  "linux/amd64": "x86_64",
  "linux/arm64": "aarch64",
  "linux/arm/v7": "arm",
  "linux/arm/v6": "arm",
  "linux/386": "i386",
  "linux/ppc64le": "ppc64le",
  "linux/s390x": "s390x",
  "linux/riscv64": "riscv64",
};

const NODE_ARCH: Record<string, string> = {
  x64: "linux/amd64",
  arm64: "linux/arm64",
  arm: "linux/arm/v7",
  ia32: "linux/386",
  ppc64: "linux/ppc64le",
  s390x: "linux/s390x",
  riscv64: "linux/riscv64",
};

/** The platform this machine runs natively, as Docker names it. */
export function hostPlatform(arch: string = process.arch): string {
  return NODE_ARCH[arch] ?? `linux/${arch}`;
}

/** Platforms an amd64 kernel runs without emulation (32-bit x86 binaries run natively). */
function runsNatively(platform: string, host: string): boolean {
  return platform === host || (host === "linux/amd64" && platform === "linux/386");
}

/**
 * Checks that this machine can run RUN steps for `platform`: natively, or through a QEMU
 * emulator registered and enabled in binfmt_misc. Throws a UserError (exit 3) naming the
 * platform, the image and what to install.
 */
export function checkEmulation(
  image: string,
  platform: string,
  options: { host?: string; binfmtDir?: string } = {},
): void {
  const host = options.host ?? hostPlatform();
  if (runsNatively(platform, host)) return;

  const arch = QEMU_ARCH[platform];
  const file = join(options.binfmtDir ?? "/proc/sys/fs/binfmt_misc", `qemu-${arch ?? "unknown"}`);
  const state = readState(file);
  if (arch && state === "enabled") return;

  const why =
    state === "disabled"
      ? `the QEMU emulator for ${arch} is registered but disabled (${file})`
      : `no QEMU emulator for ${arch ?? platform} is registered with binfmt_misc (${file} is missing)`;
  throw new UserError(`cannot build ${image} for ${platform}: this machine is ${host} and ${why}`, {
    exitCode: ExitCode.environment,
    hint: `install Debian's qemu-user-static (apt-get install qemu-user-static binfmt-support) so its emulators are registered and enabled, or leave the platform out with --platform ${host}`,
  });
}

function readState(file: string): "enabled" | "disabled" | "missing" {
  try {
    const first = readFileSync(file, "utf8").split("\n")[0]?.trim();
    return first === "enabled" ? "enabled" : "disabled";
  } catch {
    return "missing";
  }
}
