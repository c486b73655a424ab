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
            "spam": {"tag_level": -9999, "rules": [str(REPO / "Rules" / "10_moat_gtube.cf")], "use_network": False},
            "bayes": {"enabled": False},
            "virus": {"databases": [str(REPO / "Rules" / "clamav")]},
            "quarantine": {"directory": str(self.base / "Quarantine"),
                           "index": str(self.base / "var" / "quarantine.sqlite")},
            "notify": {"admin": "admin@example.com", "from": "postmaster@example.com"},
        }
        for name, values in sections.items():
            settings.setdefault(name, {}).update(values)
        self.config_path.write_text("".join(
            f"[{name}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items())
            for name, values in settings.items()))

    def start(self, timeout=60):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([BINARY, "serve", "-c", str(self.config_path)], cwd=self.base,
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.log_text())
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
