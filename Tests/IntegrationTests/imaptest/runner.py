#!/usr/bin/env python3
"""Run imaptest's scripted IMAP tests against a running server.

    python3 runner.py --host 127.0.0.1 --port 143 --user U --password P
                      [--tests DIR] [--only name,...] [--json]

Each script group passes, fails (with the first mismatch: the command, what
was expected, what came) or is skipped (a capability the server lacks). Exit
status 0 only when nothing failed; the last line is
`imaptest: P passed, F failed, S skipped`. From Python: `run(...)` returns a
Report. The scripts delete and recreate the `imaptest*` mailboxes of the user:
point it at a test account only, on loopback.
"""
import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from imaptest.connection import require_loopback  # noqa: E402
from imaptest.executor import FAIL, PASS, SKIP, Result, Settings, run_script  # noqa: E402
from imaptest.known_issues import KNOWN_WRONG  # noqa: E402
from imaptest.script import ScriptError, list_scripts, parse_script  # noqa: E402

# The repository sits beside ../shared (the issue's layout); IMAPTEST_DIR overrides.
DEFAULT_TESTS = os.environ.get("IMAPTEST_DIR") or os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "imaptest", "tests"))


@dataclass
class Report:
    results: list = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status):
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self):
        return self.count(FAIL) == 0

    def summary(self):
        return f"imaptest: {self.count(PASS)} passed, {self.count(FAIL)} failed, {self.count(SKIP)} skipped"


def run(settings, tests_dir=DEFAULT_TESTS, only=None, progress=None):
    """Run every script in tests_dir (or those named in only) against the server."""
    require_loopback(settings.host)
    paths = list_scripts(tests_dir)
    if only:
        wanted = set(only)
        unknown = wanted - {os.path.basename(p) for p in paths}
        if unknown:
            raise ValueError(f"no such script in {tests_dir}: {', '.join(sorted(unknown))}")
        paths = [p for p in paths if os.path.basename(p) in wanted]
    default_mbox = os.path.join(tests_dir, "default.mbox")
    report = Report()
    started = time.monotonic()
    for path in paths:
        name = os.path.basename(path)
        if name in KNOWN_WRONG:
            result = Result(name, SKIP, reason="known wrong script: " + KNOWN_WRONG[name])
        else:
            try:
                result = run_script(parse_script(path, default_mbox), settings)
            except (ScriptError, ValueError, OSError) as e:
                result = Result(name, FAIL, reason=f"cannot run script: {e}")
        report.results.append(result)
        if progress:
            progress(result)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def describe(r):
    """One or more report lines for a result."""
    if r.status == PASS:
        return f"PASS {r.name} ({r.seconds:.2f}s)"
    if r.status == SKIP:
        return f"SKIP {r.name}: {r.reason}"
    lines = [f"FAIL {r.name}: {r.reason}"]
    if r.command:
        lines.append(f"     command (line {r.line}): {r.command}")
    if r.expected:
        lines.append(f"     expected: {r.expected}")
    if r.got:
        lines.append(f"     got:      {r.got}")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--user2", help="a second user, for scripts that need one (urlauth2)")
    p.add_argument("--password2")
    p.add_argument("--mailbox", default="imaptest", help="the test mailbox ($mailbox); it and its siblings are deleted")
    p.add_argument("--tests", default=DEFAULT_TESTS, help=f"script directory (default {DEFAULT_TESTS})")
    p.add_argument("--only", help="comma-separated script names")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds for one command's reply")
    p.add_argument("--script-timeout", type=float, default=60.0, help="seconds for one script")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    a = p.parse_args(argv)
    settings = Settings(a.host, a.port, a.user, a.password, a.user2, a.password2, a.mailbox,
                        command_timeout=a.timeout, script_timeout=a.script_timeout)
    only = [n.strip() for n in a.only.split(",") if n.strip()] if a.only else None
    try:
        report = run(settings, a.tests, only, progress=None if a.json else (lambda r: print(describe(r), flush=True)))
    except ValueError as e:
        print(f"imaptest: {e}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps({"results": [asdict(r) for r in report.results], "seconds": report.seconds,
                          "passed": report.count(PASS), "failed": report.count(FAIL),
                          "skipped": report.count(SKIP)}, indent=1))
    print(report.summary(), file=sys.stderr if a.json else sys.stdout)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
