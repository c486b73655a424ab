"""imaptest's scripts against Moat's own IMAP server (`moat serve` with [imap] on): every
group whose capabilities Moat advertises must pass, except those listed below with the
reason. The figures go in the closing notes: `pytest -s` prints them."""
import os

import pytest

from harness import MailboxMX
from imaptest import runner
from imaptest.executor import FAIL, PASS, SKIP, Settings

# Groups Moat fails, each with why (never a script edit). None today: append-binary passes
# since a literal8 APPEND's binary parts are stored base64-encoded, as Dovecot stores them.
KNOWN_FAILURES: set[str] = set()

pytestmark = pytest.mark.skipif(not os.path.isdir(runner.DEFAULT_TESTS),
                                reason=f"no imaptest scripts at {runner.DEFAULT_TESTS}")


def test_moat_passes_every_group_it_advertises():
    with MailboxMX(auth={"penalty": "0s", "penalty_max": "0s"}) as m:
        m.add_user("tester@example.com", password="secret-1")
        m.add_user("tester2@example.com", password="secret-2")
        report = runner.run(Settings("127.0.0.1", m.imap_port, "tester@example.com", "secret-1",
                                     "tester2@example.com", "secret-2"))
        failed = {r.name for r in report.results if r.status == FAIL}
        print(f"\nimaptest against Moat: {report.count(PASS)} passed, {report.count(FAIL)} failed "
              f"({', '.join(sorted(failed)) or 'none'}), {report.count(SKIP)} skipped in {report.seconds:.1f} s")
        unexpected = [runner.describe(r) for r in report.results if r.status == FAIL and r.name not in KNOWN_FAILURES]
        assert not unexpected, "\n".join(unexpected) + "\n--- moat log ---\n" + m.log_text()[-4000:]
        assert failed <= KNOWN_FAILURES
        assert report.count(PASS) >= 59
        assert report.seconds < 60
