"""A private, throw-away Postfix instance for integration tests.

Each instance lives entirely in its own directory (config, queue, data dir,
Maildirs, maillog) and listens only on 127.0.0.1 ports picked at run time, so
it never touches the system Postfix in /etc/postfix and /var/spool/postfix.
As root, `postfix -c DIR` needs no `alternate_config_directories` entry; that
check applies only to unprivileged users of the set-gid postqueue/postdrop.

The directory is made with mkdtemp under /tmp, not pytest's tmp_path: Postfix
delivers into the Maildirs as an unprivileged uid, which must traverse every
parent, and pytest re-chmods /tmp/pytest-of-root to 0700 at the start of every
session, so a concurrent pytest run would break a running instance.
"""
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .net import free_ports, send, wait_for_pattern, wait_for_smtp

# amavisd-new's README.postfix master.cf snippet, verbatim (10025 is the
# documented re-injection port; the instance substitutes its own port).
AMAVIS_MASTER_CF = """\
smtp-amavis unix    -       -       n       -       2       smtp
    -o smtp_data_done_timeout=1200
    -o smtp_send_xforward_command=yes
    -o disable_dns_lookups=yes
    -o max_use=20

127.0.0.1:10025 inet    n       -       n       -       -       smtpd
    -o content_filter=
    -o local_recipient_maps=
    -o relay_recipient_maps=
    -o smtpd_restriction_classes=
    -o smtpd_delay_reject=no
    -o smtpd_client_restrictions=permit_mynetworks,reject
    -o smtpd_helo_restrictions=
    -o smtpd_sender_restrictions=
    -o smtpd_recipient_restrictions=permit_mynetworks,reject
    -o smtpd_data_restrictions=reject_unauth_pipelining
    -o smtpd_end_of_data_restrictions=
    -o mynetworks=127.0.0.0/8
    -o smtpd_error_sleep_time=0
    -o smtpd_soft_error_limit=1001
    -o smtpd_hard_error_limit=1000
    -o smtpd_client_connection_count_limit=0
    -o smtpd_client_connection_rate_limit=0
    -o receive_override_options=no_header_body_checks,no_unknown_recipient_checks,no_milters
"""

# The stock Debian services, minus chroot (the queue dir is not a chroot jail),
# tlsmgr and the pipe examples. postlog is what makes maillog_file work.
BASE_MASTER_CF = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

DEFAULT_MAILBOXES = (
    "rcpt@example.com", "user1@example.com", "user2@example.com", "user3@example.com",
    "admin@example.com", "postmaster@example.com",
    "sender@example.org", "rcpt@example.org", "postmaster@example.org",
)

MAILDIR_OWNER = "nobody"


class PostfixInstance:
    """One private Postfix: construct (ports picked, config written), then start().

    The two steps exist so a moat under test can be told
    `reinject = 127.0.0.1:<reinject_port>` before Postfix is running.
    moat_port=None means the public smtpd has no content_filter.
    Usable as a context manager (start on enter, stop + remove on exit).
    """

    def __init__(self, moat_port=None, *, base_dir=None, mailboxes=DEFAULT_MAILBOXES,
                 main_cf=None):
        self._own_base = base_dir is None
        self.base = Path(base_dir or tempfile.mkdtemp(prefix="moat-postfix-"))
        self.base.chmod(0o755)
        self.config_dir = self.base / "etc"
        self.queue_dir = self.base / "spool"
        self.data_dir = self.base / "data"
        self.mail_dir = self.base / "mail"
        self.maillog = self.base / "maillog"
        self.smtp_port, self.reinject_port = free_ports(2)
        self.moat_port = moat_port
        self.mailboxes = tuple(mailboxes)
        self.main_cf_overrides = dict(main_cf or {})
        try:
            self._setup_dirs()
            self.write_config()
        except BaseException:
            self.close()
            raise

    # ---- configuration -------------------------------------------------
    def _setup_dirs(self):
        owner = pwd.getpwnam(MAILDIR_OWNER)
        postfix = pwd.getpwnam("postfix")
        for d in (self.config_dir, self.queue_dir, self.data_dir, self.mail_dir):
            d.mkdir(exist_ok=True)
        os.chown(self.data_dir, postfix.pw_uid, postfix.pw_gid)  # postfix check wants this
        os.chown(self.mail_dir, owner.pw_uid, owner.pw_gid)      # virtual(8) creates Maildirs as this uid

    def main_cf(self):
        owner = pwd.getpwnam(MAILDIR_OWNER)
        params = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue_dir,
            "data_directory": self.data_dir,
            "maillog_file": self.maillog,
            "maillog_file_prefixes": self.base,
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "myhostname": "mx.example.test",
            "mydestination": "",
            "mynetworks": "127.0.0.0/8",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "virtual_mailbox_domains": "example.com, example.org",
            "virtual_mailbox_base": self.mail_dir,
            "virtual_mailbox_maps": f"texthash:{self.config_dir / 'vmailbox'}",
            "virtual_uid_maps": f"static:{owner.pw_uid}",
            "virtual_gid_maps": f"static:{owner.pw_gid}",
            # Nothing may leave the box: non-virtual destinations fail at once.
            "default_transport": "error:outbound mail is disabled in tests",
            "relay_transport": "error:outbound mail is disabled in tests",
            "smtputf8_enable": "yes",
            "biff": "no",
            "in_flow_delay": "0",
            # Short lifetimes and fast retries: a tempfailed message is retried
            # within a couple of seconds instead of minutes.
            "delay_warning_time": "0",
            "maximal_queue_lifetime": "10m",
            "bounce_queue_lifetime": "10m",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
        }
        params.update(self.main_cf_overrides)
        return "".join(f"{k} = {v}\n" for k, v in params.items())

    def master_cf(self):
        smtp = f"127.0.0.1:{self.smtp_port} inet n - n - - smtpd\n"
        if self.moat_port is not None:
            smtp += f"    -o content_filter=smtp-amavis:[127.0.0.1]:{self.moat_port}\n"
        amavis = AMAVIS_MASTER_CF.replace("127.0.0.1:10025 ", f"127.0.0.1:{self.reinject_port} ")
        return smtp + BASE_MASTER_CF + amavis

    def write_config(self):
        """Write main.cf, master.cf and the mailbox map, with mtimes in the past:
        Postfix dozes in 0.3 s steps until a config file is >= 2 s old ("still
        being edited"), which would cost every start and reload ~2.5 s."""
        files = {
            "main.cf": self.main_cf(),
            "master.cf": self.master_cf(),
            "vmailbox": "".join(f"{a} {self.maildir_rel(a)}/\n" for a in self.mailboxes),
        }
        past = time.time() - 60
        for name, text in files.items():
            (self.config_dir / name).write_text(text)
            os.utime(self.config_dir / name, (past, past))

    def reconfigure(self, moat_port):
        """Point the public smtpd at a (new) content filter port, or None for none."""
        self.moat_port = moat_port
        self.write_config()
        if self.running():
            self.reload()

    # ---- lifecycle -----------------------------------------------------
    def postfix(self, *args, check=True):
        """Run `postfix -c DIR ARGS...`; raise with output and log tail on failure."""
        p = subprocess.run(["postfix", "-c", str(self.config_dir), *args],
                           capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise RuntimeError(f"postfix {' '.join(args)} exited {p.returncode}:\n"
                               f"{p.stdout}{p.stderr}\n--- maillog tail ---\n{self.log_text()[-4000:]}")
        return p

    def start(self, timeout=30):
        """check (creates queue dirs, fixes ownership), start, wait for both smtpds."""
        self.postfix("check")
        self.postfix("start")
        try:
            wait_for_smtp(self.smtp_port, timeout)
            wait_for_smtp(self.reinject_port, timeout)
            # A daemon with a bad parameter (e.g. qmgr) dies while smtpd still
            # answers; its fatal: line is already logged by now, in practice.
            if re.search(r" (fatal|panic): ", self.log_text()):
                raise RuntimeError("postfix daemon failed:\n" + self.log_text()[-4000:])
        except BaseException:
            self.stop()
            raise
        return self

    def reload(self, timeout=20):
        """`postfix reload` is asynchronous (SIGHUP); wait for master to log it."""
        before = self.log_text().count(" reload -- version ")
        self.postfix("reload")
        self.wait_for_log(r" reload -- version ", timeout, count=before + 1)

    def master_pid(self):
        try:
            return int((self.queue_dir / "pid" / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def running(self):
        pid = self.master_pid()
        return pid is not None and _alive(pid)

    def stop(self, timeout=15):
        """Stop master and wait until every process of its group is gone;
        escalate to SIGKILL of the group (master is a session leader)."""
        pid = self.master_pid()
        if pid is None or not _group_alive(pid):
            return
        self.postfix("stop", check=False)
        deadline = time.monotonic() + timeout
        while _group_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            while _group_alive(pid) and time.monotonic() < deadline + 5:
                time.sleep(0.05)
        _stopped_groups.add(pid)

    def close(self):
        """Stop, then delete the instance directory (if we created it)."""
        try:
            self.stop()
        finally:
            if self._own_base:
                shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self):
        return self if self.running() else self.start()

    def __exit__(self, *exc):
        self.close()

    # ---- mail ----------------------------------------------------------
    def send(self, from_, to, data, port=None, **kw):
        """send() to this instance, by default on the public smtp_port."""
        return send(from_, to, data, port or self.smtp_port, **kw)

    @staticmethod
    def maildir_rel(address):
        local, domain = address.rsplit("@", 1)
        return f"{domain.lower()}/{local}"

    def maildir(self, address):
        return self.mail_dir / self.maildir_rel(address)

    def maildir_messages(self, address):
        """Bytes of every message in the address's Maildir new/ and cur/, oldest first."""
        files = [f for sub in ("new", "cur") for f in (self.maildir(address) / sub).glob("*")]
        files.sort(key=lambda f: (f.stat().st_mtime, f.name))
        return [f.read_bytes() for f in files]

    def wait_for_maildir(self, address, count=1, timeout=30):
        """Wait until at least `count` messages were delivered to address; return them all."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.maildir_messages(address)
            if len(msgs) >= count:
                return msgs
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{address}: {len(msgs)} of {count} messages after {timeout}s\n"
                    f"queue: {self.mailq()}\n--- maillog tail ---\n{self.log_text()[-4000:]}")
            time.sleep(0.1)

    def mailq(self):
        """Queued messages as dicts from `postqueue -j` (queue_name, queue_id, recipients...)."""
        p = subprocess.run(["postqueue", "-c", str(self.config_dir), "-j"],
                           capture_output=True, text=True, timeout=30, check=True)
        return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]

    def queue_ids(self, queue_name=None):
        return [m["queue_id"] for m in self.mailq()
                if queue_name is None or m["queue_name"] == queue_name]

    def flush(self):
        """Ask qmgr to retry all deferred mail now (`postqueue -f`)."""
        subprocess.run(["postqueue", "-c", str(self.config_dir), "-f"],
                       capture_output=True, timeout=30, check=True)

    def log_text(self):
        try:
            return self.maillog.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for_log(self, pattern, timeout=30, count=1):
        """Wait until regex `pattern` occurs `count` times in the maillog; return the matches."""
        return wait_for_pattern(self.log_text, pattern, timeout=timeout, count=count, what="maillog")


# Process groups of stopped masters. Their processes exit as zombies that
# pid 1 (not us: master daemonizes) reaps a second or so later; see wait_reaped().
_stopped_groups = set()


def _processes():
    """(pid, state, pgrp) of every process, from /proc."""
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            yield int(d), fields[0], int(fields[2])


def _alive(pid):
    """True if pid exists and is not a zombie."""
    return any(p == pid and state != "Z" for p, state, _ in _processes())


def _group_alive(pgid):
    """True while any non-zombie process is in process group pgid."""
    return any(g == pgid and state != "Z" for _, state, g in _processes())


def wait_reaped(timeout=10):
    """Wait (bounded) until the zombies of stopped instances have been reaped,
    so a finished test run leaves not even `[master] <defunct>` behind."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(g in _stopped_groups for _, _, g in _processes()):
            _stopped_groups.clear()
            return True
        time.sleep(0.1)
    return False
