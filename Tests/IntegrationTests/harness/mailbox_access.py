"""`moat serve` with the MX and its IMAP/POP3 listeners on ports picked at run time."""
import re

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
