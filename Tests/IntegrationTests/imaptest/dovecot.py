"""A private, unprivileged Dovecot 2.3 IMAP server on a free loopback port.

Everything lives in one temporary directory (config, base_dir, state_dir, log,
Maildirs); users come from a passwd-file with {PLAIN} passwords; plaintext
LOGIN is allowed (loopback only, ssl = no). Run as root, the server drops to
`nobody` before it starts, so it never owns anything outside its directory.
"""
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
userdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DovecotUnavailable(RuntimeError):
    pass


class PrivateDovecot:
    """with PrivateDovecot({"user": "pass"}) as d: d.port ..."""

    def __init__(self, users, start_timeout=20.0):
        self.users = users
        self.start_timeout = start_timeout
        self.dir = None
        self.port = None
        self.proc = None
        self.uid = self.gid = None

    def __enter__(self):
        if not os.path.exists(DOVECOT):
            raise DovecotUnavailable(f"{DOVECOT} not installed (Debian dovecot-imapd)")
        self.prepare()
        try:
            self.launch()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def password_field(self, password):
        """The passwd-file's password column for `password`."""
        return "{PLAIN}" + password

    def prepare(self):
        """The directory, passwd-file (a home per user) and config; nothing runs yet."""
        self.dir = tempfile.mkdtemp(prefix="imaptest-dovecot-")
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            account = pwd.getpwnam("nobody")
        else:
            account = pwd.getpwuid(os.geteuid())
        self.uid, self.gid = account.pw_uid, account.pw_gid
        group = grp.getgrgid(self.gid).gr_name
        self.port = _free_port()
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            for name, password in self.users.items():
                home = os.path.join(self.dir, "home", name)
                os.makedirs(home)
                f.write(f"{name}:{self.password_field(password)}:{self.uid}:{self.gid}::{home}::\n")
        with open(os.path.join(self.dir, "dovecot.conf"), "w") as f:
            f.write(CONFIG.format(dir=self.dir, user=account.pw_name, group=group, uid=self.uid, gid=self.gid,
                                  port=self.port))

    def launch(self):
        """Starts Dovecot over the prepared directory (again after `halt`), everything in it
        handed to the unprivileged account first; returns once it greets."""
        uid, gid = self.uid, self.gid
        if os.geteuid() == 0:
            for root, dirs, files in os.walk(self.dir):
                for n in dirs + files:
                    os.lchown(os.path.join(root, n), uid, gid)
            os.chown(self.dir, uid, gid)

        def drop():
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)

        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", os.path.join(self.dir, "dovecot.conf")],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=drop,
                                     start_new_session=True)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read().decode(errors="replace")
                raise DovecotUnavailable(f"dovecot exited {self.proc.returncode}: {out}{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                    s.settimeout(2)
                    if s.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise DovecotUnavailable(f"no IMAP greeting on 127.0.0.1:{self.port} within {self.start_timeout}s: {self.log()}")

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log"), errors="replace") as f:
                return f.read()[-20000:]
        except OSError:
            return ""

    def halt(self):
        """Stops Dovecot (every process of its session); the directory stays."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()

    def __exit__(self, *exc):
        self.halt()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False

