"""[log] destination for `moat serve`: syslog datagrams shaped as glibc's syslog(3) writes
them (facility, severity from the level, ident moat[PID]) to a receiver standing in for
/dev/log, and a log file that logrotate rotates (rename, create, SIGUSR1) while mail flows,
without losing or splitting a line."""
import os
import re
import signal
import socket
import subprocess
import threading
import time

from harness import Moat
from harness.mail import message
from harness.moat import BINARY
from harness.net import send

RECORD = re.compile(r"^<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) moat\[(\d+)\]: (.*)$", re.S)
FACILITY = {"mail": 2, "local3": 19}
SEVERITY = {"info": 6, "notice": 5}


class SyslogReceiver:
    """A unix datagram socket like /dev/log; keeps every datagram it is sent."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.records = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while self.running:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            with self.lock:
                self.records.append(data.decode("utf-8", errors="replace"))

    def wait_for(self, pattern, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for record in self.records:
                    m = RECORD.match(record)
                    if m and re.search(pattern, m.group(4)):
                        return m
            time.sleep(0.05)
        raise AssertionError(f"no syslog record matching {pattern!r} within {timeout}s: {self.records}")

    def text(self):
        with self.lock:
            return "\n".join(self.records)

    def close(self):
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()


def test_syslog_records_carry_facility_severity_and_ident(smtp_sink, tmp_path):
    for facility in ["mail", "local3"]:
        receiver = SyslogReceiver(tmp_path / f"{facility}.sock")
        moat = Moat(smtp_sink.port, log={"destination": f"syslog:{receiver.path}", "facility": facility})
        try:
            moat.log_text = receiver.text  # the harness waits for `listening on` there
            moat.start()
            listening = receiver.wait_for(r"^listening on 127\.0\.0\.1:\d+")
            assert int(listening.group(1)) == FACILITY[facility] * 8 + SEVERITY["notice"]
            assert int(listening.group(3)) == moat.proc.pid
            # Hostile: an ESC sequence and a CR LF in the Message-ID, which the log line quotes.
            data = message("syslog probe").replace(b"<syslog.probe@example.org>",
                                                   b"<syslog.\x1b[31mprobe\r\nFAKE@example.org>")
            assert send("sender@example.org", ["rcpt@example.com"], data, moat.port, fix_eols=False)[0] == 250
            # (The CR LF makes the header section garbage: BAD-HEADER, passed all the same.)
            passed = receiver.wait_for(r"Passed BAD-HEADER .*Message-ID: <syslog\.\S*probe.*mail_id")
            assert int(passed.group(1)) == FACILITY[facility] * 8 + SEVERITY["info"]
            for record in receiver.records:
                assert "\x1b" not in record and "\n" not in record and "\r" not in record, record
            # Nothing went to standard error instead.
            assert "listening on" not in moat.log_path.read_text()
        finally:
            moat.stop()
            receiver.close()


def test_serve_refuses_a_syslog_socket_nobody_listens_on(tmp_path):
    missing = tmp_path / "no-daemon.sock"
    moat = Moat(1, log={"destination": f"syslog:{missing}"})
    p = subprocess.run([BINARY, "serve", "-c", str(moat.config_path)], capture_output=True, timeout=60)
    assert p.returncode == 1, p.stderr
    assert f"[log] destination: connect {missing}: No such file or directory".encode() in p.stderr, p.stderr


def test_log_file_reopened_on_sigusr1_after_rename_loses_no_line(smtp_sink, tmp_path):
    logfile = tmp_path / "moat.log"
    rotated = tmp_path / "moat.log.1"
    moat = Moat(smtp_sink.port, log={"destination": str(logfile)})
    total, rotate_after = 40, 15
    sent = []

    # What the harness waits on: both files, the rotated one first.
    moat.log_text = lambda: "".join(p.read_text() for p in (rotated, logfile) if p.exists())
    try:
        moat.start()

        def sender():
            for i in range(total):
                send("sender@example.org", ["rcpt@example.com"], message(f"rotation {i}"), moat.port)
                sent.append(i)

        thread = threading.Thread(target=sender)
        thread.start()
        deadline = time.monotonic() + 60
        while len(sent) < rotate_after:
            assert time.monotonic() < deadline and thread.is_alive(), "sender stalled"
            time.sleep(0.01)
        # logrotate's `create` mode, mail still flowing.
        os.rename(logfile, rotated)
        logfile.touch(mode=0o600)
        os.kill(moat.proc.pid, signal.SIGUSR1)
        thread.join(timeout=120)
        assert len(sent) == total

        def passed():
            return re.findall(r"Passed CLEAN .*Message-ID: <rotation\.(\d+)@example\.org>", moat.log_text())
        deadline = time.monotonic() + 30
        while len(passed()) < total:
            assert time.monotonic() < deadline, f"{len(passed())} of {total} lines logged"
            time.sleep(0.05)
        assert sorted(map(int, passed())) == list(range(total))  # each once: none lost, none doubled
        old, new = rotated.read_text(), logfile.read_text()
        assert "reopened" in new and "Passed CLEAN" in new and "Passed CLEAN" in old
        for text in (old, new):  # whole lines only: every line starts with a timestamp
            for line in text.splitlines():
                assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} \w+ moat", line), line
    finally:
        moat.stop()
