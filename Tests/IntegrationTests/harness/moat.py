"""The moat binary under test, started on a port it picks itself (listen ...:0).

Moat logs `listening on 127.0.0.1:PORT` once bound; the fixture reads that line, so no
port is ever guessed. Its stderr is copied to a file so a failed test can show it.
"""
import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .net import wait_for_pattern

REPO = Path(__file__).resolve().parents[3]
BINARY = os.environ.get("MOAT_BINARY", str(REPO / ".build" / "debug" / "moat"))


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "'" + str(v) + "'"


class Moat:
    """One `moat serve` process with its own config, quarantine and index."""

    def __init__(self, reinject_port, *, listen_port=0, lmtp=False, base_dir=None, **sections):
        self.base = Path(base_dir or tempfile.mkdtemp(prefix="moat-"))
        self.config_path = self.base / "moat.toml"
        self.log_path = self.base / "moat.log"
        self.port = None
        self.proc = None
        settings = {
            "filter": {
                "listen": f"{'lmtp:' if lmtp else ''}127.0.0.1:{listen_port}",
                "reinject": f"127.0.0.1:{reinject_port}",
                "hostname": "moat.example.test",
                "x_header_line": "Moat at example.test",
                "local_domains": ["example.com"],
            },
            "spam": {"tag_level": -9999, "rules": [str(REPO / "Rules" / "10_moat_gtube.cf")], "use_network": False,
                     # The rules a test names and no others, whatever this machine has installed.
                     "spamassassin_rules": "off"},
            "bayes": {"enabled": False},
            # Moat's own signatures only: tests consent to that (production refuses it).
            "virus": {"databases": [str(REPO / "Rules" / "clamav")], "test_signatures_only": True},
            "quarantine": {"directory": str(self.base / "Quarantine"),
                           "index": str(self.base / "var" / "quarantine.sqlite")},
            "notify": {"admin": "admin@example.com", "from": "postmaster@example.com"},
            # The MX is for tests that ask for it (MoatMX): its default port is fixed.
            "mx": {"enabled": False},
            # POP3 and IMAP are for tests that ask for them, on ports picked at run time.
            "pop3": {"enabled": False},
            "imap": {"enabled": False},
            # Tests run as whoever starts them, root in CI (test_install drops to a user).
            "service": {"allow_root": True},
        }
        for name, values in sections.items():
            settings.setdefault(name, {}).update(values)
        self.config_path.write_text("".join(
            f"[{name}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items())
            for name, values in settings.items()))

    def start(self, timeout=60):
        offset = len(self.log_text())
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([BINARY, "serve", "-c", str(self.config_path)], cwd=self.base,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.log_text()[offset:])
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise AssertionError(f"moat exited with {self.proc.returncode}:\n{self.log_text()}")
            time.sleep(0.05)
        raise AssertionError(f"moat did not start within {timeout}s:\n{self.log_text()}")

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_log(self, pattern, timeout=30, count=1):
        return wait_for_pattern(self.log_text, pattern, timeout=timeout, count=count, what="moat log")

    def cli(self, *args, input=None, check=True):
        """Runs `moat ARGS -c <this config>` and returns the CompletedProcess."""
        p = subprocess.run([BINARY, *args, "-c", str(self.config_path)], cwd=self.base, input=input,
                           capture_output=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"moat {' '.join(args)} exited {p.returncode}:\n"
                                 f"{p.stdout.decode(errors='replace')}\n{p.stderr.decode(errors='replace')}")
        return p

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.kill(signal.SIGTERM)


class MoatMX(Moat):
    """`moat serve` with the MX on: directory, queue and Maildirs under its own directory,
    STARTTLS with a fresh self-signed pair, both listeners on ports picked at run time.
    `mx_port` is read from the `MX listening on …` line."""

    def __init__(self, reinject_port=1, *, tls=True, mx=None, **sections):
        base = Path(tempfile.mkdtemp(prefix="moat-mx-"))
        mx_settings = {"enabled": True, "listen": "127.0.0.1:0", "hostname": "mx.example.test",
                       "error_sleep_time": "0s", "client_lookup_timeout": "2s"}
        mx_settings.update(mx or {})
        sections = dict(sections)
        sections["mx"] = mx_settings
        sections.setdefault("storage", {"data_dir": str(base / "var")})
        sections.setdefault("spam", {}).setdefault("use_network", False)
        if tls:
            self.certificate, self.key = base / "cert.pem", base / "key.pem"
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=mx.example.test", "-keyout", str(self.key), "-out", str(self.certificate),
                            # For clients that check the name they connect to (mbsync, fetchmail).
                            "-addext", "subjectAltName=DNS:mx.example.test,DNS:localhost,IP:127.0.0.1"],
                           check=True, capture_output=True, timeout=60)
            sections["mx.tls"] = {"certificate": str(self.certificate), "key": str(self.key)}
        else:
            sections["mx.tls"] = {"certificate": str(base / "none.pem"), "key": str(base / "none.key")}
        super().__init__(reinject_port, base_dir=base, **sections)
        self.mx_port = None

    def start(self, timeout=60):
        # A restarted process appends to the same log: only what it writes counts.
        offset = len(self.log_text())
        pattern = r"MX listening on 127\.0\.0\.1:(\d+)"
        super().start(timeout)
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.log_text()[offset:])
            if m:
                self.mx_port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise AssertionError(f"moat exited with {self.proc.returncode}:\n{self.log_text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no MX listener within {timeout}s:\n{self.log_text()}")
            time.sleep(0.05)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def rss_kib(self):
        """Resident memory of the running process, from /proc."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def maildir(self, address, folder=None):
        """<data_dir>/mail/<domain>/<user>/Maildir[/.<folder>]."""
        local, domain = address.split("@")
        root = self.base / "var" / "mail" / domain / local / "Maildir"
        return root / f".{folder}" if folder else root

    def delivered(self, address, folder=None, count=1, timeout=30):
        """Waits until `count` messages sit in new/ of the mailbox (or folder); returns their bytes."""
        new = self.maildir(address, folder) / "new"
        deadline = time.monotonic() + timeout
        while True:
            files = sorted(new.glob("*")) if new.is_dir() else []
            if len(files) >= count:
                return [f.read_bytes() for f in files]
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(files)}/{count} messages in {new} after {timeout}s\n{self.log_text()[-4000:]}")
            time.sleep(0.05)

    def add_user(self, address, password="secret", quota=None):
        domain = address.split("@")[1]
        if domain not in self.cli("domain", "list").stdout.decode():
            self.cli("domain", "add", domain)
        args = ["user", "add", address, "--password-stdin"] + (["--quota", quota] if quota else [])
        self.cli(*args, input=(password + "\n").encode())
