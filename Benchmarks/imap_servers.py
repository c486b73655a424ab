"""The two IMAP servers the benchmark compares, behind one small interface: start, stop,
add users, each user's INBOX Maildir and the CPU the server's processes used.

  moat    : the release `moat serve` (MailboxMX: IMAP on a port-0 loopback listener, users
            in Moat's directory, Maildirs under its data_dir);
  dovecot : Debian's Dovecot 2.3 as a private unprivileged instance (the imaptest runner's
            config: loopback, passdb/userdb from a passwd-file, Maildir under the temp dir)
            with Dovecot's default service settings, which Debian's conf.d keeps.
Both check the same password hashes (SHA512-CRYPT, 5000 rounds: what `moat user add` and
`doveadm pw` write), so a LOGIN costs each the same crypt(3)."""
import shutil
import subprocess
from pathlib import Path

from benchlib import cpu_seconds, group_cpu
from harness import MailboxMX  # noqa: E402
from imaptest.dovecot import DOVECOT, PrivateDovecot  # noqa: E402



def sha512_crypt(password):
    """`{SHA512-CRYPT}$6$…` as doveadm pw writes it (openssl's crypt has the same format)."""
    p = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password.encode(), capture_output=True,
                       check=True, timeout=30)
    return "{SHA512-CRYPT}" + p.stdout.decode().strip()


class MoatIMAP:
    name = "moat"

    def __init__(self, accounts, clients):
        self.mx = MailboxMX(
            # Dovecot has no per-address session limit: do not let Moat's refuse the load.
            imap={"listen_tls": "", "max_connections_per_client": max(50, 4 * clients)},
            mx={"client_lookup_timeout": "10s"})
        for user, password in accounts:
            self.mx.add_user(user, password=password)
        self.port = None

    def start(self):
        self.mx.start(timeout=180)
        self.port = self.mx.imap_port
        return self

    def stop(self):
        self.mx.stop()

    def inbox(self, user):
        return self.mx.maildir(user)

    def cpu(self):
        return cpu_seconds(self.mx.proc.pid) or 0.0

    def close(self, keep=False):
        self.stop()
        if keep:
            print(f"moat: config, log and Maildirs kept in {self.mx.base}")
        else:
            shutil.rmtree(self.mx.base, ignore_errors=True)


class DovecotIMAP(PrivateDovecot):
    """The imaptest runner's private Dovecot, with SHA512-CRYPT passwords and restartable."""
    name = "dovecot"

    def __init__(self, accounts, clients):
        super().__init__(dict(accounts), start_timeout=60)
        self.prepare()

    def password_field(self, password):
        return sha512_crypt(password)

    def inbox(self, user):
        return Path(self.dir) / "home" / user / "Maildir"

    def start(self):
        self.launch()
        return self

    def stop(self):
        self.halt()

    def cpu(self):
        """master, its live children, and the ones it has reaped (one imap and one
        imap-login process per session in Dovecot's default high-security mode)."""
        return group_cpu(self.proc.pid)

    def close(self, keep=False):
        self.halt()
        if keep:
            print(f"dovecot: config, log and Maildirs kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def dovecot_version():
    p = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True, timeout=30)
    return p.stdout.strip() or "unknown"


def dovecot_service_settings(server):
    """The settings that shape Dovecot's process model, as this instance has them."""
    p = subprocess.run(["doveconf", "-c", str(Path(server.dir) / "dovecot.conf"), "service/imap/service_count",
                        "service/imap-login/service_count", "mail_fsync"],
                       capture_output=True, text=True, timeout=30)
    return " ".join(line.strip() for line in p.stdout.splitlines()) or "unknown"
