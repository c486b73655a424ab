"""`moat serve` with the MX and its IMAP/POP3 listeners on ports picked at run time."""
import imaplib
import re
import smtplib
import time

from .moat import MoatMX


class MailboxMX(MoatMX):
    """MoatMX with [imap] (and optionally [pop3]) on `listen` and `listen_tls`; the ports come
    from the `IMAP listening on …` lines. The MX's self-signed pair serves them too."""

    def __init__(self, imap=None, pop3=None, **sections):
        imap_settings = {"enabled": True, "listen": "127.0.0.1:0", "listen_tls": "127.0.0.1:0"}
        imap_settings.update(imap or {})
        extra = {"imap": imap_settings}
        if pop3 is not None:
            pop3_settings = {"enabled": True, "listen": "127.0.0.1:0", "listen_tls": "127.0.0.1:0"}
            pop3_settings.update(pop3)
            extra["pop3"] = pop3_settings
        super().__init__(**extra, **sections)
        text = self.config_path.read_text()
        for name in extra:
            text += f"[{name}.tls]\ncertificate = '{self.certificate}'\nkey = '{self.key}'\n"
        self.config_path.write_text(text)

    def start(self, timeout=60):
        offset = len(self.log_text())
        super().start(timeout)
        log = self.log_text()[offset:]
        self.ports = {name: int(port) for name, port in re.findall(r"(IMAPS?|POP3S?) listening on 127\.0\.0\.1:(\d+)", log)}
        self.imap_port = self.ports.get("IMAP")
        self.imaps_port = self.ports.get("IMAPS")
        self.pop3_port = self.ports.get("POP3")
        self.pop3s_port = self.ports.get("POP3S")
        return self

    def deliver(self, *bodies, to="alice@example.com", timeout=30):
        """Sends `bodies` (each with its own Message-ID) through the MX and waits until each
        is in the mailbox, in new/ or cur/ (a selected mailbox moves it on); returns the
        stored bytes of each, in the order of `bodies`."""
        with smtplib.SMTP("127.0.0.1", self.mx_port, timeout=30) as s:
            for body in bodies:
                s.sendmail("sender@example.org", [to], body)
        wanted = [re.search(rb"Message-ID: (<[^>]+>)", body, re.I).group(1) for body in bodies]
        root = self.maildir(to)
        deadline = time.monotonic() + timeout
        while True:
            stored = {hit.group(1): data for f in [*root.glob("new/*"), *root.glob("cur/*")]
                      if (hit := re.search(rb"Message-ID: (<[^>]+>)", data := _read(f), re.I))}
            if set(wanted) <= set(stored):
                return [stored[w] for w in wanted]
            if time.monotonic() > deadline:
                raise AssertionError(f"not delivered after {timeout}s: {sorted(set(wanted) - set(stored))}\n{self.log_text()[-4000:]}")
            time.sleep(0.05)

    def imap_login(self, user="alice@example.com", password="sesame"):
        """An imaplib session logged in over the plain listener (loopback is trusted)."""
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        client.login(user, password)
        return client


def _read(path):
    try:
        return path.read_bytes()
    except FileNotFoundError:  # renamed or moved on meanwhile
        return b""
