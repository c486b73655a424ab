"""Issue 10, items 1 and 2: `make install` lays out a tree whose unit passes
`systemd-analyze verify`; `moat serve` started as root drops to [service] user before it
serves, and the real Dovecot from Debian, authenticating against Moat's directory with the
SQL snippet the README documents, reads the message Moat delivered, flags included.
Only loopback; ports picked at run time; every user, directory and process is removed."""
import grp
import imaplib
import os
import pwd
import re
import secrets
import shutil
import smtplib
import stat
import subprocess
import tempfile
import time
import tomllib
from pathlib import Path

import pytest

from harness import MoatMX, free_port
from harness.moat import BINARY, REPO

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown, useradd and the privilege drop need root")

MESSAGE = (b"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: for dovecot\r\n"
           b"Message-ID: <install-1@example.org>\r\n\r\nRead me over IMAP.\r\n")


def make(*args, check=True):
    return subprocess.run(["make", "-s", "-C", str(REPO), *args, f"BINARY={BINARY}"],
                          capture_output=True, text=True, timeout=120, check=check)


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def documented_keys(path):
    """section.key for every key a config file shows, set or commented out (`# key = …`)."""
    keys, section = set(), None
    for line in Path(path).read_text().splitlines():
        if m := re.match(r"^\[([a-z.]+)\]\s*$", line):
            section = m.group(1)
        elif m := re.match(r"^#?\s?([a-z_0-9]+)\s*=", line):
            keys.add(f"{section}.{m.group(1)}")
    return keys


def test_production_config_documents_the_same_keys_as_the_repository_config():
    dev, prod = REPO / "Config" / "moat.toml", REPO / "Config" / "moat.production.toml"
    assert documented_keys(dev) == documented_keys(prod), (
        f"only in moat.toml: {documented_keys(dev) - documented_keys(prod)}; "
        f"only in moat.production.toml: {documented_keys(prod) - documented_keys(dev)}")
    assert len(documented_keys(dev)) > 100  # the parser above really found the keys
    production = tomllib.loads(prod.read_text())
    assert production["service"] == {"user": "moat", "group": "moat", "allow_root": False}
    paths = [production["spam"]["cache_directory"], production["quarantine"]["directory"],
             production["quarantine"]["index"], production["bayes"]["database"], production["storage"]["data_dir"],
             production["mx.tls"]["certificate"] if "mx.tls" in production else production["mx"]["tls"]["certificate"],
             *production["spam"]["rules"], *production["virus"]["databases"]]
    relative = [p for p in paths if not p.startswith("/")]
    assert not relative, f"production paths must be absolute: {relative}"


def test_version_names_the_build():
    out = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    m = re.fullmatch(r"moat \d+\.\d+\.\d+ \(build (?:\S+-g)?([0-9a-f]{7,})(?:-dirty)?\)\n", out)
    assert m, out
    # A commit of this repository (the binary may predate the newest commit, never the tree).
    assert subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{m.group(1)}^{{commit}}"]).returncode == 0, out


@needs_root
def test_make_install_destdir_lays_out_the_tree_and_uninstall_keeps_mail(tmp_path):
    dest = tmp_path / "root"
    make("install", f"DESTDIR={dest}")
    assert mode(dest / "usr/local/bin/moat") == 0o755
    assert (dest / "usr/local/share/moat/rules/10_moat_gtube.cf").is_file()
    unit = (dest / "etc/systemd/system/moat.service").read_text()
    assert "ExecStart=/usr/local/bin/moat serve -c /etc/moat/moat.toml\n" in unit
    for setting in ["NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                    "ReadWritePaths=/var/lib/moat /var/spool/moat /var/cache/moat"]:
        assert f"\n{setting}\n" in unit, setting
    assert "\nUser=" not in unit  # moat starts as root and drops itself (see the unit's comment)
    config = dest / "etc/moat/moat.toml"
    assert mode(config) == 0o640 and mode(dest / "etc/moat") == 0o750
    spam = tomllib.loads(config.read_text())["spam"]
    assert spam["rules"] == ["/usr/local/share/moat/rules", "/usr/local/share/moat/rules/scores"]
    assert spam["spamassassin_rules"] == "auto"
    assert (dest / "usr/local/share/moat/rules/scores/90_moat_rescored.cf").is_file()
    for d in ["var/lib/moat", "var/lib/moat/queue", "var/lib/moat/mail", "var/spool/moat/quarantine", "var/cache/moat"]:
        assert mode(dest / d) == 0o700, d

    # The unit as installed: systemd-analyze resolves ExecStart on the real file system, so the
    # staged /usr/local is bind-mounted over it in a private mount namespace (nothing else sees it).
    verify = subprocess.run(["unshare", "--mount", "sh", "-c",
                             f"mount --bind {dest}/usr/local /usr/local && "
                             f"systemd-analyze verify --man=no {dest}/etc/systemd/system/moat.service"],
                            capture_output=True, text=True, timeout=60)
    if "unshare failed" in verify.stderr or "Operation not permitted" in verify.stderr:
        pytest.fail(f"cannot make a private mount namespace here: {verify.stderr}")
    assert verify.returncode == 0 and verify.stderr == "", verify.stderr

    # A second install keeps the admin's config; uninstall removes Moat but never mail,
    # queue or quarantine, and keeps a config the admin changed.
    config.write_text(config.read_text() + "\n# changed by the admin\n")
    out = make("install", f"DESTDIR={dest}").stdout
    assert "kept" in out and config.read_text().endswith("# changed by the admin\n")
    mail = dest / "var/lib/moat/mail/example.com/alice/Maildir/new/1.msg"
    mail.parent.mkdir(parents=True)
    mail.write_text("mail")
    quarantined = dest / "var/spool/moat/quarantine/virus-abc"
    quarantined.write_text("virus")
    make("uninstall", f"DESTDIR={dest}")
    assert not (dest / "usr/local/bin/moat").exists()
    assert not (dest / "usr/local/share/moat").exists()
    assert not (dest / "etc/systemd/system/moat.service").exists()
    assert mail.read_text() == "mail" and quarantined.read_text() == "virus"
    assert config.exists()


@pytest.fixture
def service_account():
    """A throwaway system user and group, deleted afterwards."""
    name = f"moatit{secrets.token_hex(3)}"
    subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   check=True, timeout=30)
    try:
        yield pwd.getpwnam(name)
    finally:
        subprocess.run(["userdel", name], timeout=30)
        subprocess.run(["groupdel", name], timeout=30, capture_output=True)


def proc_ids(pid):
    """Uid, Gid (real, effective, saved, fs) and Groups of every thread of pid."""
    threads = {}
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        threads[status.parent.name] = (fields["Uid"].split(), fields["Gid"].split(), fields["Groups"].split())
    return threads


def readme_dovecot_sql():
    text = (REPO / "README.md").read_text()
    block = re.search(r"<!-- dovecot-sql:begin -->\n```\n(.*?)```\n<!-- dovecot-sql:end -->", text, re.S)
    assert block, "the README's Dovecot SQL snippet is gone"
    return block.group(1)


class PrivateDovecot:
    """The Debian dovecot binary with its own config dir, base_dir and loopback port."""

    def __init__(self, directory, sql_conf, user):
        self.dir = directory
        self.port = free_port()
        (directory / "run").mkdir(mode=0o755, parents=True)
        (directory / "dovecot-sql.conf.ext").write_text(sql_conf)
        (directory / "dovecot.conf").write_text(f"""
instance_name = moat-test-{self.port}
base_dir = {directory}/run
state_dir = {directory}/state
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = {directory}/dovecot.log
first_valid_uid = 1
first_valid_gid = 1
passdb {{
  driver = sql
  args = {directory}/dovecot-sql.conf.ext
}}
userdb {{
  driver = sql
  args = {directory}/dovecot-sql.conf.ext
}}
service auth-worker {{
  user = {user}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""")
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", str(directory / "dovecot.conf")],
                                     stdout=subprocess.DEVNULL, stderr=open(directory / "stderr", "wb"))

    def connect(self, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            try:
                return imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"dovecot did not listen: {self.log()}")
                time.sleep(0.1)

    def log(self):
        return "".join(p.read_text(errors="replace") for p in [self.dir / "dovecot.log", self.dir / "stderr"] if p.exists())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


@needs_root
@pytest.mark.skipif(not shutil.which("dovecot") or not Path("/usr/lib/dovecot/imap").exists()
                    or not list(Path("/usr/lib/dovecot/modules").glob("libdriver_sqlite*")),
                    reason="needs dovecot-core, dovecot-imapd and dovecot-sqlite (make test-deps)")
def test_serve_as_root_drops_to_the_service_user_and_dovecot_reads_what_moat_delivered(service_account, tmp_path):
    user, uid, gid = service_account.pw_name, service_account.pw_uid, service_account.pw_gid
    mx = MoatMX(service={"user": user, "allow_root": False},
                delivery={"maildir_mode": "0750", "maildir_group": user})
    # What `make install` does for /var/lib/moat: the state's top directory belongs to the user.
    os.chown(mx.base, uid, gid)
    dovecot = None
    try:
        mx.start()
        pid = mx.proc.pid
        # Logged after the switch, which follows the listeners' lines: wait for it.
        mx.wait_for_log(rf"running as {user} \(uid {uid}\) / {user} \(gid {gid}\)")
        threads = proc_ids(pid)
        assert len(threads) > 1
        for tid, (uids, gids, groups) in threads.items():
            assert uids == [str(uid)] * 4 and gids == [str(gid)] * 4, (tid, uids, gids)
            assert groups == [str(gid)], (tid, groups)

        mx.add_user("alice@example.com", password="imap-secret")
        with smtplib.SMTP("127.0.0.1", mx.mx_port, timeout=30) as s:
            s.ehlo("client.example.test")
            s.sendmail("sender@example.org", ["alice@example.com"], MESSAGE)
        [stored] = mx.delivered("alice@example.com")
        assert b"Read me over IMAP." in stored
        maildir = mx.maildir("alice@example.com")
        [message_file] = list((maildir / "new").iterdir())
        for path, expected in [(maildir, 0o750), (maildir / "new", 0o750), (message_file, 0o640)]:
            info = os.stat(path)
            assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (uid, gid, expected), path
        for state in [mx.base / "var" / "directory.sqlite", mx.base / "var" / "queue" / "active", mx.base / "Quarantine"]:
            assert os.stat(state).st_uid == uid, f"{state} still belongs to root"

        sql = readme_dovecot_sql().replace("/var/lib/moat", str(mx.base / "var")).replace("'moat'", f"'{user}'")
        dovecot = PrivateDovecot(tmp_path / "dovecot", sql, user)
        imap = dovecot.connect()
        try:
            assert imap.login("alice@example.com", "imap-secret")[0] == "OK", dovecot.log()
            assert imap.select("INBOX")[1] == [b"1"]
            typ, data = imap.fetch("1", "(FLAGS BODY.PEEK[])")
            assert typ == "OK", data
            assert b"\\Recent" in data[0][0] and b"\\Seen" not in data[0][0], data[0][0]
            assert data[0][1].replace(b"\r\n", b"\n") == stored
            assert imap.store("1", "+FLAGS", "(\\Seen \\Flagged \\Answered)")[0] == "OK"
        finally:
            imap.logout()
        # Flags live in the file name: Dovecot could rename Moat's file in Moat's directories.
        [renamed] = list((maildir / "cur").iterdir())
        assert renamed.name.endswith(":2,FRS"), renamed.name  # Flagged, Replied, Seen (Maildir's letters)
        imap = dovecot.connect()
        try:
            imap.login("alice@example.com", "imap-secret")
            imap.select("INBOX", readonly=True)
            flags = imap.fetch("1", "(FLAGS)")[1][0]
            assert all(f in flags for f in [b"\\Seen", b"\\Flagged", b"\\Answered"]), flags
        finally:
            imap.logout()
        bad = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=10)
        with pytest.raises(imaplib.IMAP4.error):
            bad.login("alice@example.com", "wrong-password")
        bad.logout()
    finally:
        if dovecot:
            dovecot.stop()
        mx.stop()
        shutil.rmtree(mx.base, ignore_errors=True)


@needs_root
def test_serve_refuses_root_without_a_service_user():
    mx = MoatMX(service={"allow_root": False})
    try:
        with pytest.raises(AssertionError, match="refusing to serve as root"):
            mx.start(timeout=30)
        assert mx.proc.returncode == 1
    finally:
        mx.stop()
        shutil.rmtree(mx.base, ignore_errors=True)


@needs_root
def test_config_check_judges_the_service_accounts_with_file_and_line():
    """What serve would refuse about its accounts, config check refuses first, at the key."""
    mx = MoatMX(service={"user": "no-such-moat-user", "allow_root": False})
    try:
        text = mx.config_path.read_text()
        line = text.splitlines().index("user = 'no-such-moat-user'") + 1
        p = mx.cli("config", "check", check=False)
        assert p.returncode == 1
        assert f"{mx.config_path}:{line}: [service] user: no user 'no-such-moat-user' on this system" in p.stderr.decode()
        mx.config_path.write_text(text.replace("user = 'no-such-moat-user'\n", ""))
        p = mx.cli("config", "check", check=False)
        assert p.returncode == 1 and "[service] allow_root: refusing to serve as root" in p.stderr.decode(), p.stderr
    finally:
        shutil.rmtree(mx.base, ignore_errors=True)


@needs_root
@pytest.mark.parametrize("key,value,why", [
    ("maildir_owner", "no-such-owner", "no user 'no-such-owner' on this system"),
    ("maildir_group", "no-such-group", "no group 'no-such-group' on this system"),
])
def test_config_check_judges_the_maildir_accounts_with_file_and_line(key, value, why):
    mx = MoatMX(tls=False, delivery={key: value})
    try:
        line = mx.config_path.read_text().splitlines().index(f"{key} = '{value}'") + 1
        p = mx.cli("config", "check", check=False)
        assert p.returncode == 1
        assert f"{mx.config_path}:{line}: [delivery] {key}: {why}" in p.stderr.decode(), p.stderr
    finally:
        shutil.rmtree(mx.base, ignore_errors=True)


INSTALLED = [Path("/usr/local/bin/moat"), Path("/etc/moat"), Path("/var/lib/moat"), Path("/var/spool/moat"),
             Path("/var/cache/moat"), Path("/etc/systemd/system/moat.service"), Path("/usr/local/share/moat")]


def moat_user_exists():
    try:
        pwd.getpwnam("moat")
        return True
    except KeyError:
        return False


@needs_root
@pytest.mark.skipif(any(p.exists() for p in INSTALLED) or moat_user_exists(),
                    reason="Moat is installed on this machine: the real-root install test never touches it")
def test_make_install_into_the_real_root_then_serve_drops_to_moat(tmp_path):
    proc = None
    try:
        make("install")
        account = pwd.getpwnam("moat")
        assert account.pw_uid < 1000 and grp.getgrgid(account.pw_gid).gr_name == "moat"
        assert account.pw_shell == "/usr/sbin/nologin"
        for d in ["/var/lib/moat", "/var/lib/moat/queue", "/var/lib/moat/mail", "/var/spool/moat/quarantine", "/var/cache/moat"]:
            info = os.stat(d)
            assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (account.pw_uid, account.pw_gid, 0o700), d
        info = os.stat("/etc/moat/moat.toml")
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, account.pw_gid, 0o640)
        make("install")  # idempotent: the user exists, the config is kept
        verify = subprocess.run(["systemd-analyze", "verify", "--man=no", "/etc/systemd/system/moat.service"],
                                capture_output=True, text=True, timeout=60)
        assert verify.returncode == 0 and verify.stderr == "", verify.stderr
        assert subprocess.run(["/usr/local/bin/moat", "--version"], capture_output=True, text=True,
                              timeout=30).stdout.startswith("moat ")

        # The installed config with loopback ports picked at run time and Moat's test signatures
        # (freshclam's databases need the network), copied where the service user reads them as
        # it reads /var/lib/clamav; every state path stays the installed one.
        signatures = Path("/var/lib/moat/test-signatures")
        shutil.copytree(REPO / "Rules" / "clamav", signatures)
        os.chmod(signatures, 0o755)
        text = Path("/etc/moat/moat.toml").read_text()
        for old, new in [('listen = "127.0.0.1:10024"', 'listen = "127.0.0.1:0"'),
                         ('listen = "0.0.0.0:25"', 'listen = "127.0.0.1:0"\nhostname = "mx.example.test"'),
                         ('listen = "0.0.0.0:143"', 'listen = "127.0.0.1:0"'),
                         ('listen_tls = "0.0.0.0:993"', 'listen_tls = ""'),
                         ('databases = ["/var/lib/clamav"]', f'databases = ["{signatures}"]'),
                         ("test_signatures_only = false", "test_signatures_only = true"),
                         ("use_network = true", "use_network = false"),
                         # Privileges are the point here: compiling SpamAssassin's rules for the
                         # first time takes a debug build over a minute.
                         ('spamassassin_rules = "auto"', 'spamassassin_rules = "off"')]:
            assert old in text, old
            text = text.replace(old, new)
        # In place, as an admin edits it: root:moat 0640, so a reload, run as moat, reads it.
        config = Path("/etc/moat/moat.toml")
        config.write_text(text)
        log = tmp_path / "serve.log"
        proc = subprocess.Popen(["/usr/local/bin/moat", "serve", "-c", str(config)], cwd=tmp_path,
                                stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while "MX listening on" not in log.read_text() or "running as moat" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        for tid, (uids, gids, groups) in proc_ids(proc.pid).items():
            assert uids == [str(account.pw_uid)] * 4 and gids == [str(account.pw_gid)] * 4, (tid, uids, gids)
        for created in ["/var/lib/moat/directory.sqlite", "/var/lib/moat/queue/active", "/var/lib/moat/quarantine.sqlite"]:
            assert os.stat(created).st_uid == account.pw_uid, created
        # A reload after the drop: the process reads config, rules and signatures as moat.
        reload = subprocess.run(["/usr/local/bin/moat", "reload", "-c", str(config)], capture_output=True, text=True,
                                timeout=30)
        assert reload.returncode == 0, reload.stderr
        deadline = time.monotonic() + 60
        while not re.search(r"reloaded /etc/moat/moat\.toml: \d+ rules|reload failed", log.read_text()):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        assert "reload failed" not in log.read_text(), log.read_text()
        proc.terminate()
        proc.wait(timeout=30)
        proc = None

        Path("/var/lib/moat/mail/keep").write_text("mail")
        make("uninstall")
        assert not any(Path(p).exists() for p in ["/usr/local/bin/moat", "/etc/systemd/system/moat.service",
                                                    "/usr/local/share/moat", "/var/cache/moat"])
        assert Path("/etc/moat/moat.toml").read_text() == text, "uninstall removed the admin's edited config"
        assert Path("/var/lib/moat/mail/keep").read_text() == "mail"
        assert Path("/var/lib/moat/directory.sqlite").exists() and Path("/var/spool/moat/quarantine").is_dir()
    finally:
        if proc and proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=30)
        make("uninstall", check=False)
        for path in ["/var/lib/moat", "/var/spool/moat", "/etc/moat"]:
            shutil.rmtree(path, ignore_errors=True)
        subprocess.run(["userdel", "moat"], capture_output=True, timeout=30)
        subprocess.run(["groupdel", "moat"], capture_output=True, timeout=30)
