"""The antivirus engines as an admin runs them: libclamav reloading on SIGHUP, and a real
clamd (Debian's clamav-daemon) reached with INSTREAM over its unix socket."""
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from harness import Moat
from harness.moat import REPO
from harness.mail import EICAR

CUSTOM = b"MOAT-SIGHUP-RELOAD-TEST-STRING-0123456789"


def mail(body):
    return b"From: a@example.org\r\nTo: rcpt@example.com\r\nSubject: t\r\n\r\n" + body + b"\r\n"


def scan(moat, tmp_path, body):
    path = tmp_path / f"m{time.monotonic_ns()}.eml"
    path.write_bytes(mail(body))
    return moat.cli("scan", str(path), check=False)


def test_sighup_reloads_new_signatures(tmp_path, smtp_sink):
    db = tmp_path / "db"
    shutil.copytree(REPO / "Rules" / "clamav", db)
    moat = Moat(smtp_sink.port, virus={"databases": [str(db)], "reload_check_interval": "3600s"}).start()
    try:
        with socket.create_connection(("127.0.0.1", moat.port), timeout=10):
            pass
        (db / "custom.ndb").write_text(f"Moat.Test.Custom:0:*:{CUSTOM.hex()}\n")
        os.killpg(moat.proc.pid, signal.SIGHUP)
        moat.wait_for_log(r"reload: ClamAV databases reloaded, \d+ signatures")
        moat.wait_for_log(r"reloaded .*moat\.toml: \d+ rules, \d+ signatures")
        # The running server now detects the new signature: send through it.
        import smtplib
        with smtplib.SMTP("127.0.0.1", moat.port, timeout=30) as s:
            s.ehlo("t")
            s.sendmail("a@example.org", ["rcpt@example.com"], mail(CUSTOM))
        moat.wait_for_log(r"Blocked INFECTED \(Moat\.Test\.Custom\.UNOFFICIAL\)")
    finally:
        moat.stop()


def test_database_change_is_picked_up_without_signal(tmp_path, smtp_sink):
    db = tmp_path / "db"
    shutil.copytree(REPO / "Rules" / "clamav", db)
    moat = Moat(smtp_sink.port, virus={"databases": [str(db)], "reload_check_interval": "1s"}).start()
    try:
        time.sleep(1.1)  # mtimes must differ from the first load's
        (db / "custom.ndb").write_text(f"Moat.Test.Custom:0:*:{CUSTOM.hex()}\n")
        moat.wait_for_log(r"ClamAV databases changed: reloaded", timeout=30)
    finally:
        moat.stop()


@pytest.fixture
def clamd(tmp_path):
    """A real clamd in the foreground with Moat's own signatures and a private socket."""
    if not shutil.which("clamd"):
        pytest.skip("clamav-daemon is not installed")
    db = tmp_path / "clamdb"
    shutil.copytree(REPO / "Rules" / "clamav", db)
    sock = tmp_path / "clamd.ctl"
    conf = tmp_path / "clamd.conf"
    conf.write_text(f"LocalSocket {sock}\nDatabaseDirectory {db}\nForeground yes\nUser root\n"
                    f"LogFile {tmp_path / 'clamd.log'}\nPidFile {tmp_path / 'clamd.pid'}\n"
                    f"TemporaryDirectory {tmp_path}\nMaxThreads 4\n")
    proc = subprocess.Popen(["clamd", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not sock.exists():
            assert proc.poll() is None, (tmp_path / "clamd.log").read_text(errors="replace")
            assert time.monotonic() < deadline, "clamd did not open its socket"
            time.sleep(0.1)
        yield sock
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_clamd_engine_detects_over_instream(tmp_path, clamd, smtp_sink):
    moat = Moat(smtp_sink.port, virus={"engine": "clamd", "clamd_socket": f"unix:{clamd}"}).start()
    try:
        infected = scan(moat, tmp_path, EICAR)
        assert infected.returncode == 2, infected.stdout + infected.stderr
        assert b"Moat.Test.Eicar.UNOFFICIAL" in infected.stdout
        clean = scan(moat, tmp_path, b"nothing to see")
        assert clean.returncode == 0, clean.stdout + clean.stderr
        import smtplib
        with smtplib.SMTP("127.0.0.1", moat.port, timeout=30) as s:
            s.ehlo("t")
            s.sendmail("a@example.org", ["rcpt@example.com"], mail(b"clean over clamd"))
        [m] = smtp_sink.wait_for(1)
        assert b"clean over clamd" in m.data
    finally:
        moat.stop()


def test_clamd_down_tempfails(tmp_path, smtp_sink):
    """No scanner, no delivery: an unreachable clamd gives 451, never an unscanned pass."""
    moat = Moat(smtp_sink.port, virus={"engine": "clamd", "clamd_socket": f"unix:{tmp_path / 'none.ctl'}"}).start()
    try:
        import smtplib
        with smtplib.SMTP("127.0.0.1", moat.port, timeout=30) as s:
            s.ehlo("t")
            with pytest.raises(smtplib.SMTPDataError) as e:
                s.sendmail("a@example.org", ["rcpt@example.com"], mail(b"hello"))
            assert e.value.smtp_code == 451
        assert smtp_sink.messages == []
    finally:
        moat.stop()
