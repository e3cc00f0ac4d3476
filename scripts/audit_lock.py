"""pip-audit against the locks, for CI: fails on a known vulnerability; when the
advisory data cannot be fetched (no network, a registry mirror without it), says so loudly
and does not fail, since nothing was learnt either way."""

import json
import subprocess
import sys

# The development lock holds every package of the production lock, and the tools.
COMMAND = [
    sys.executable,
    "-m",
    "pip_audit",
    "--requirement",
    "requirements-dev.lock",
    "--no-deps",
    "--disable-pip",
    "--progress-spinner",
    "off",
    "--format",
    "json",
]


def main() -> int:
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments
            COMMAND,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except subprocess.TimeoutExpired:
        print("WARNING: pip-audit timed out fetching the advisory data; the lock is NOT audited.")
        return 0
    try:
        report = json.loads(done.stdout)
    except ValueError:
        print("WARNING: pip-audit could not fetch the advisory data; the lock is NOT audited.")
        print("\n".join(done.stderr.splitlines()[-5:]))
        return 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    print(
        f"pip-audit: {len(dependencies) - len(skipped)} of {len(dependencies)} packages "
        f"audited, {len(vulnerable)} with a known vulnerability."
    )
    if skipped:
        print(
            f"WARNING: no advisory data could be fetched for {len(skipped)} packages, which "
            f"are NOT audited: {', '.join(d['name'] for d in skipped)}."
        )
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            print(
                f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} "
                f"(fixed in {fixes})"
            )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
