"""Paths and start-up checks (issue 10, items 3 and 4), on the real binary.

Every configuration here uses relative paths and is run from a different working
directory: they must resolve against the file's directory. Each silent-failure mode must
stop both `moat config check` and `moat serve` with file:line and the path, the same
messages from both; a listener that cannot bind names its address and port.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from harness.moat import BINARY, REPO

GOOD = """\
[filter]
listen = "127.0.0.1:{filter_port}"
reinject = "127.0.0.1:1"
[spam]
rules = ["rules"]
spamassassin_rules = "off"
use_network = false
cache_directory = "../state/cache"
[virus]
databases = ["sigs"]
test_signatures_only = true
[quarantine]
directory = "../state/quarantine"
index = "../state/quarantine.sqlite"
[bayes]
enabled = false
[storage]
data_dir = "../state"
[mx]
enabled = {mx}
listen = "127.0.0.1:{mx_port}"
client_lookup_timeout = "1s"
[mx.tls]
certificate = "tls/cert.pem"
key = "tls/key.pem"
[mx.restrictions]
client = [{client}]
[service]
allow_root = true
"""


def line_of(key, after=None):
    """The line of `key = ...` in GOOD (the first after the line `after`, e.g. "[mx]")."""
    lines = GOOD.splitlines()
    start = lines.index(after) if after else 0
    return next(i + 1 for i, l in enumerate(lines) if i >= start and l.startswith(f"{key} = "))


LINE = {"listen": line_of("listen"), "rules": line_of("rules"), "databases": line_of("databases"),
        "quarantine": line_of("directory"), "data_dir": line_of("data_dir"), "mx_listen": line_of("listen", "[mx]"),
        "key": line_of("key"), "client": line_of("client")}


class Site:
    """A configuration in <tmp>/etc with its rules and signatures next to it, run from
    <tmp>/elsewhere."""

    def __init__(self, tmp_path, filter_port=0, mx=False, mx_port=0, client=""):
        self.root = tmp_path
        self.etc = tmp_path / "etc"
        self.cwd = tmp_path / "elsewhere"
        for d in (self.etc / "rules", self.etc / "sigs", self.cwd):
            d.mkdir(parents=True)
        shutil.copy(REPO / "Rules" / "10_moat_gtube.cf", self.etc / "rules")
        for f in (REPO / "Rules" / "clamav").glob("moat-test.*"):
            shutil.copy(f, self.etc / "sigs")
        self.config = self.etc / "moat.toml"
        self.text = GOOD.format(filter_port=filter_port, mx="true" if mx else "false", mx_port=mx_port, client=client)

    def write(self, **values):
        """Writes the config, each `key=value` replacing that key's value on its own line."""
        lines = self.text.splitlines()
        for key, value in values.items():
            [i] = [i for i, l in enumerate(lines) if l.startswith(f"{key} = ")]
            lines[i] = f"{key} = {value}"
        self.config.write_text("\n".join(lines) + "\n")
        return self

    def run(self, *command, timeout=60):
        return subprocess.run([*self.prefix, BINARY, *command, "-c", str(self.config)], cwd=self.cwd,
                              capture_output=True, timeout=timeout)

    # Command prefix; the permission test runs Moat as nobody (root writes through mode bits).
    prefix = ()

    def refused(self, line, fragment):
        """config check and serve both exit 1 with `<config>:<line>: ...fragment...`."""
        check = self.run("config", "check")
        serve = self.run("serve", timeout=30)
        expected = f"{self.config}:{line}: "
        for p, what in ((check, "config check"), (serve, "serve")):
            err = p.stderr.decode()
            assert p.returncode == 1, f"{what} exited {p.returncode}:\n{err}"
            assert any(l.startswith(expected) and fragment in l for l in err.splitlines()), \
                f"{what}: no {expected}...{fragment!r} in:\n{err}"
            assert b"listening on" not in p.stdout + p.stderr
        # serve also logs as it builds (rules loaded, engine ready); the issues are the same.
        issues = [[l for l in p.stderr.decode().splitlines() if l.startswith(f"{self.config}:")] for p in (check, serve)]
        assert issues[0] == issues[1], "serve and config check must report the same"
        return check.stderr.decode()


def test_config_check_prints_paths_resolved_against_the_file(tmp_path):
    site = Site(tmp_path).write()
    outputs = set()
    for cwd in (site.cwd, Path("/"), site.etc):
        p = subprocess.run([BINARY, "config", "check", "-c", str(site.config)], cwd=cwd, capture_output=True,
                           timeout=60)
        assert p.returncode == 0, p.stderr.decode()
        outputs.add(p.stdout)
    assert len(outputs) == 1, "the same file must give the same paths from any directory"
    out = outputs.pop().decode()
    for line in (f"[spam] rules = {site.etc}/rules", f"[virus] databases = {site.etc}/sigs",
                 f"[quarantine] directory = {tmp_path}/state/quarantine",
                 f"[quarantine] index = {tmp_path}/state/quarantine.sqlite",
                 f"[storage] data_dir = {tmp_path}/state", f"[mx.tls] certificate = {site.etc}/tls/cert.pem"):
        assert line in out.splitlines(), f"{line!r} not in:\n{out}"
    assert out.splitlines()[-1] == f"{site.config}: OK"
    assert not (tmp_path / "state").exists(), "config check creates nothing"

    # Named relative to the working directory, the file still anchors its paths.
    p = subprocess.run([BINARY, "config", "check", "-c", "etc/moat.toml"], cwd=tmp_path, capture_output=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    assert f"[storage] data_dir = {tmp_path}/state" in p.stdout.decode()


def test_serve_from_another_directory_uses_the_files_paths(tmp_path):
    site = Site(tmp_path).write()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([BINARY, "serve", "-c", str(site.config)], cwd=site.cwd, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while b"listening on 127.0.0.1:" not in log_path.read_bytes():
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text(errors="replace")
            time.sleep(0.05)
        assert (tmp_path / "state" / "quarantine").is_dir()
        assert list(site.cwd.iterdir()) == [], "nothing may land in the working directory"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def test_missing_rules_directory(tmp_path):
    site = Site(tmp_path).write(rules='["rulez"]')
    site.refused(LINE["rules"], f"[spam] rules: {site.etc}/rulez: no such file or directory")


def test_rules_directory_without_rule_files(tmp_path):
    site = Site(tmp_path)
    (site.etc / "empty").mkdir()
    site.write(rules='["empty"]')
    site.refused(LINE["rules"], f"[spam] rules: {site.etc}/empty: no rule files (*.cf)")


def test_rules_that_define_no_rule(tmp_path):
    # A .cf file that parses but defines nothing: every message would score 0, GTUBE too.
    site = Site(tmp_path)
    (site.etc / "rules" / "10_moat_gtube.cf").write_text("# nothing here\nreport_safe 0\n")
    site.write()
    site.refused(LINE["rules"], f"[spam] rules: no rules in {site.etc}/rules: every message would score 0")


def test_test_signatures_alone_are_refused_without_consent(tmp_path):
    site = Site(tmp_path).write(test_signatures_only="false")
    site.refused(LINE["databases"], f"[virus] databases: no virus database besides Moat's test signatures "
                                    f"(Moat.Test.*) in {site.etc}/sigs")


def test_test_signatures_renamed_like_freshclam_are_still_refused(tmp_path):
    """Judged by content: Moat's signatures copied to main.ndb/daily.hdb are still tests."""
    site = Site(tmp_path)
    for f in (site.etc / "sigs").iterdir():
        f.rename(f.with_name(("main" if f.suffix == ".ndb" else "daily") + f.suffix))
    site.write(test_signatures_only="false")
    site.refused(LINE["databases"], "no virus database besides Moat's test signatures")


def test_a_real_signature_file_is_accepted(tmp_path):
    site = Site(tmp_path)
    (site.etc / "sigs" / "local.ndb").write_text("Local.Site.Marker:0:*:6d6f61742d6c6f63616c2d6d61726b6572\n")
    site.write(test_signatures_only="false")
    p = site.run("config", "check")
    assert p.returncode == 0, p.stderr.decode()


def test_directory_behind_a_file_cannot_be_created(tmp_path):
    site = Site(tmp_path)
    (tmp_path / "blocker").write_text("not a directory\n")
    site.write(directory='"../blocker/quarantine"')
    site.refused(LINE["quarantine"], f"[quarantine] directory: {tmp_path}/blocker/quarantine: cannot be created: "
                                     f"{tmp_path}/blocker is not a directory")


def test_directory_on_a_read_only_file_system(tmp_path):
    # /proc refuses new files even to root: as a read-only mount (or ProtectSystem) would.
    site = Site(tmp_path, mx=True).write(data_dir='"/proc/moat-state"')
    err = site.refused(LINE["data_dir"], "[storage] data_dir: /proc/moat-state: cannot be created in /proc: ")
    assert f"{site.config}:{LINE['data_dir']}: [storage] data_dir: /proc/moat-state/queue" in err


def test_directory_without_write_permission():
    """A quarantine directory the service user cannot write, as an admin's mkdir as root makes it."""
    root = Path(tempfile.mkdtemp(prefix="moat-perm-"))
    try:
        root.chmod(0o755)
        site = Site(root).write()
        (root / "state" / "quarantine").mkdir(parents=True)
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("needs setpriv to run as nobody")
            site.prefix = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups")
            for d in (root, site.etc, site.etc / "rules", site.etc / "sigs", site.cwd):
                d.chmod(0o755)
            for f in (*(site.etc / "rules").iterdir(), *(site.etc / "sigs").iterdir(), site.config):
                f.chmod(0o644)
        else:
            (root / "state" / "quarantine").chmod(0o500)
        site.refused(LINE["quarantine"], f"[quarantine] directory: {root}/state/quarantine: cannot write: "
                                         "Permission denied")
    finally:
        (root / "state" / "quarantine").chmod(0o700)
        shutil.rmtree(root)


def make_pair(directory, name):
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=t",
                    "-keyout", str(directory / f"{name}.key"), "-out", str(directory / f"{name}.pem")],
                   check=True, capture_output=True, timeout=60)


def test_tls_key_of_another_certificate(tmp_path):
    site = Site(tmp_path, mx=True)
    make_pair(site.etc / "tls", "a")
    make_pair(site.etc / "tls", "b")
    (site.etc / "tls" / "a.pem").rename(site.etc / "tls" / "cert.pem")
    (site.etc / "tls" / "b.key").rename(site.etc / "tls" / "key.pem")
    site.write()
    site.refused(LINE["key"], f"[mx.tls] key: {site.etc}/tls/key.pem: does not go with the certificate")


def test_tls_half_a_pair_and_garbage(tmp_path):
    site = Site(tmp_path, mx=True)
    make_pair(site.etc / "tls", "cert")
    (site.etc / "tls" / "cert.key").unlink()
    site.write()
    site.refused(LINE["key"], f"[mx.tls] key: {site.etc}/tls/key.pem: no such file (the certificate exists)")
    (site.etc / "tls" / "key.pem").write_text("-----BEGIN PRIVATE KEY-----\nnot base64 at all\n")
    site.refused(LINE["key"], f"[mx.tls] key: {site.etc}/tls/key.pem: not a PEM private key")


def test_missing_access_table_is_named_with_its_resolved_path(tmp_path):
    site = Site(tmp_path, mx=True, client='"check_client_access access/clients"').write()
    site.refused(LINE["client"], f"[mx.restrictions] client: client restrictions, entry 1 'check_client_access': "
                                 f"access table {site.etc}/access/clients")
    (site.etc / "access").mkdir()
    (site.etc / "access" / "clients").write_text("192.0.2.1 REJECT\n")
    p = site.run("config", "check")
    assert p.returncode == 0, p.stderr.decode()
    assert f"[mx.restrictions] client = {site.etc}/access/clients" in p.stdout.decode()


def test_every_problem_is_reported_at_once(tmp_path):
    site = Site(tmp_path).write(rules='["rulez"]', test_signatures_only="false")
    err = site.refused(LINE["rules"], "no such file or directory")
    assert f"{site.config}:{LINE['databases']}: [virus] databases: " in err, err


@pytest.mark.parametrize("listener", ["filter", "mx"])
def test_listener_that_cannot_bind_names_address_and_port(tmp_path, listener):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        if listener == "filter":
            site, line = Site(tmp_path, filter_port=port).write(), LINE["listen"]
        else:
            site, line = Site(tmp_path, mx=True, mx_port=port).write(), LINE["mx_listen"]
        check = site.run("config", "check")
        assert check.returncode == 0, check.stderr.decode()  # content is fine; the port is busy
        p = site.run("serve", timeout=60)
        err = p.stderr.decode()
        assert p.returncode == 1, err
        assert f"moat: {site.config}:{line}: [{listener}] listen: cannot listen on 127.0.0.1:{port}: " in err, err
        assert "Address already in use" in err, err
    finally:
        taken.close()
