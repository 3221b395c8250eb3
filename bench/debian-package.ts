// Installing a peer from Debian's packages for the benchmarks: only as root, with the package's
// system service held from starting (a `policy-rc.d` that exits 101), so nothing begins listening
// on its well-known port; the instances measured are our own, started by the suites.
import { execFileSync } from 'node:child_process';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

export type Installed = { installed: true } | { installed: false; reason: string };

function apt(args: string[]): void {
  // Another apt-get on the machine holds the lock for a while: wait for it rather than fail.
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** Install `pkg` unless `binary` is already there; as root only (otherwise the reason to print). */
export function ensureDebianPackage(pkg: string, binary: string, progress: (line: string) => void): Installed {
  if (existsSync(binary)) return { installed: true };
  if (process.getuid?.() !== 0) return { installed: false, reason: `${binary} is missing; install it with "sudo apt-get install -y ${pkg}" to compare` };
  progress(`installing ${pkg} (apt-get; its system service is held from starting)`);
  // policy-rc.d exiting 101 tells invoke-rc.d / deb-systemd-invoke not to start services. Keep one
  // that already exists.
  const ownPolicy = !existsSync(POLICY_RC_D);
  if (ownPolicy) writeFileSync(POLICY_RC_D, "#!/bin/sh\n# written by Sigap's bench while installing; removed after\nexit 101\n", { mode: 0o755 });
  try {
    try {
      apt(['install', '-y', '--no-install-recommends', pkg]);
    } catch {
      apt(['update']);
      apt(['install', '-y', '--no-install-recommends', pkg]);
    }
    return { installed: true };
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? err)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    return { installed: false, reason: `apt-get install ${pkg} failed: ${stderr}` };
  } finally {
    if (ownPolicy) unlinkSync(POLICY_RC_D);
  }
}
