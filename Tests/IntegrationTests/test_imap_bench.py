"""`Benchmarks/imap_bench.py` in miniature against the moat under test and the real Dovecot, so
the benchmark `make bench` runs cannot rot: every phase runs, both servers answer every
command of the imaptest-like mix with OK, and the table has a figure for each. Seconds, not
minutes: 2 clients, 1-second phases, a 300-message INBOX."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.moat import BINARY
from imaptest.dovecot import DOVECOT

BENCH = Path(__file__).resolve().parents[2] / "Benchmarks" / "imap_bench.py"

pytestmark = pytest.mark.skipif(not os.path.exists(DOVECOT), reason=f"{DOVECOT} not installed (dovecot-imapd)")


def figures(output, label):
    """The moat and dovecot cells of the table line that starts with `label`."""
    line = next(l for l in output.splitlines() if l.startswith(label))
    return [float(x) for x in re.findall(r"\s(\d+(?:\.\d+)?)(?=\s)", line[len(label):] + " ")[:2]]


def test_imap_bench_runs_every_phase_on_both_servers_without_errors():
    p = subprocess.run([sys.executable, str(BENCH), "--clients", "2", "--seconds", "1", "--login-seconds", "1",
                        "--messages", "300", "--cold-runs", "1", "--warm-runs", "1"],
                       env={**os.environ, "MOAT_BINARY": BINARY}, capture_output=True, text=True, timeout=300)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out[-6000:]
    assert "no errors: every command of every session got its tagged OK" in out
    assert "ERRORS" not in out
    for label in ("  all commands", "  whole sessions", "  logins/s", "  cold SELECT + FETCH", "  warm SELECT + FETCH"):
        moat, dovecot = figures(out, label)
        assert moat > 0 and dovecot > 0, f"{label}: {moat}, {dovecot}\n{out}"
    assert figures(out, "  errors") == [0, 0]
