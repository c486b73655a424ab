"""The runner against a private Dovecot 2.3: every script group passes or is
skipped for a capability Dovecot lacks, as upstream imaptest reports for it.
The runner's bugs show up here first: a failure is a runner bug until shown to
be Dovecot's behaviour (and then goes into known_issues.py with its reason)."""
import os
import subprocess
import sys

import pytest

from imaptest import runner
from imaptest.dovecot import DOVECOT, PrivateDovecot
from imaptest.executor import FAIL, PASS, SKIP, Settings

USERS = {"tester": "secret-1", "tester2": "secret-2"}

# Dovecot 2.3 without imap_urlauth_host configured has no URLAUTH; nobody has CONTEXT=SORT.
EXPECTED_SKIPS = {"sort-partial", "urlauth", "urlauth-binary", "urlauth2"}

pytestmark = [
    pytest.mark.skipif(not os.path.exists(DOVECOT), reason="Dovecot not installed (Debian dovecot-imapd)"),
    pytest.mark.skipif(not os.path.isdir(runner.DEFAULT_TESTS), reason=f"no imaptest scripts at {runner.DEFAULT_TESTS}"),
]


@pytest.fixture(scope="module")
def dovecot():
    with PrivateDovecot(USERS) as d:
        yield d


def settings(d):
    return Settings("127.0.0.1", d.port, "tester", USERS["tester"], "tester2", USERS["tester2"])


def test_dovecot_passes_every_group_it_runs(dovecot):
    report = runner.run(settings(dovecot))
    failures = [runner.describe(r) for r in report.results if r.status == FAIL]
    assert not failures, "\n".join(failures) + "\n--- dovecot log ---\n" + dovecot.log()[-5000:]
    skipped = {r.name for r in report.results if r.status == SKIP}
    assert skipped == EXPECTED_SKIPS, [runner.describe(r) for r in report.results if r.status == SKIP]
    assert report.count(PASS) == len(report.results) - len(EXPECTED_SKIPS) == 67
    assert report.seconds < 60


def test_a_wrong_expectation_fails_against_dovecot(dovecot, tmp_path):
    # The hostile input: a script whose expected body is not what was appended.
    (tmp_path / "default.mbox").write_text(
        "From user@domain  Fri Feb 22 17:06:23 2008\nFrom: user1@domain.org\nSubject: s1\n\nbody1\n\n")
    (tmp_path / "wrong-body").write_text(
        "messages: 1\n\nok fetch 1 body.peek[text]\n* 1 fetch (body[text] {{{\nbodyX\n\n\n}}})\n")
    (tmp_path / "right-body").write_text(
        "messages: 1\n\nok fetch 1 body.peek[text]\n* 1 fetch (body[text] {{{\nbody1\n\n\n}}})\n")
    d = dovecot
    cli = [sys.executable, os.path.join(os.path.dirname(runner.__file__), "runner.py"),
           "--port", str(d.port), "--user", "tester", "--password", USERS["tester"], "--tests", str(tmp_path)]
    out = subprocess.run(cli, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAIL wrong-body: Missing 1 untagged replies" in out.stdout
    assert "PASS right-body" in out.stdout
    assert out.stdout.rstrip().endswith("imaptest: 1 passed, 1 failed, 0 skipped")
    out = subprocess.run(cli + ["--only", "right-body"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
