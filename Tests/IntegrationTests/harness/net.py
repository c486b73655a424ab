"""Loopback networking helpers shared by the Postfix harness, the sink and tests."""
import re
import smtplib
import socket
import time


def free_ports(n):
    """Return n distinct free TCP ports on 127.0.0.1.

    All n sockets are bound at once before any is closed, so the ports differ.
    Somebody may grab a port between close and use; on loopback in a test VM
    that race is rare enough to accept (never use fixed ports instead).
    """
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port():
    """A free TCP port on 127.0.0.1 (bind to port 0, read it back, release it)."""
    return free_ports(1)[0]


def wait_for_smtp(port, timeout=20.0, host="127.0.0.1"):
    """Wait until an SMTP server on host:port answers with a 220 greeting.

    A bare TCP connect is not enough: Postfix's master accepts on behalf of a
    smtpd that may still die on a config error, so we wait for the banner.
    """
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP(host, port, timeout=5) as smtp:
                smtp.noop()
            return
        except (OSError, smtplib.SMTPException) as e:
            last = e
            time.sleep(0.1)
    raise TimeoutError(f"no SMTP greeting on {host}:{port} within {timeout}s: {last!r}")


def send(from_, to, data, port, *, host="127.0.0.1", mail_options=(), fix_eols=True, timeout=30):
    """Submit one message with smtplib and return the (code, text) reply to DATA.

    Every RCPT must be accepted (else smtplib.SMTPRecipientsRefused), so a
    test that only looks at the DATA reply cannot silently lose a recipient.
    The DATA reply is returned, not raised, because 4xx/5xx there is what
    filter tests assert on. `data` is bytes; bare LFs become CRLF unless
    fix_eols=False (smtplib itself only does that for str). smtplib dot-stuffs.
    """
    if isinstance(to, str):
        to = [to]
    if fix_eols:
        data = re.sub(rb"\r?\n", b"\r\n", data)
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        smtp.ehlo("client.example.test")
        code, msg = smtp.mail(from_, list(mail_options))
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, msg, from_)
        refused = {}
        for rcpt in to:
            code, msg = smtp.rcpt(rcpt)
            if code not in (250, 251):
                refused[rcpt] = (code, msg)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        code, msg = smtp.data(data)
        return code, msg.decode("utf-8", "replace")


def wait_for_pattern(read_text, pattern, *, timeout=30, count=1, what="log"):
    """Poll read_text() until regex `pattern` occurs `count` times; return the matches."""
    deadline = time.monotonic() + timeout
    while True:
        found = re.findall(pattern, read_text())
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{pattern!r} seen {len(found)}/{count} times after {timeout}s"
                                 f"\n--- {what} tail ---\n{read_text()[-4000:]}")
        time.sleep(0.05)


class RawClient:
    """A raw SMTP client: bytes out, parsed replies in."""

    def __init__(self, port, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"connection closed; unread: {self.buf!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def reply(self):
        """(code, text) of the next reply; text lines of a multi-line reply joined by \\n."""
        texts = []
        while True:
            line = self._line()
            assert re.match(r"^\d{3}[ -]", line), f"not a reply line: {line!r}"
            texts.append(line[4:])
            if line[3] == " ":
                return int(line[:3]), "\n".join(texts)

    def cmd(self, line):
        self.send(line.encode() + b"\r\n")
        return self.reply()

    def at_eof(self, timeout=5):
        """True when the server closed the connection (and sent nothing more)."""
        self.sock.settimeout(timeout)
        try:
            return self.buf == b"" and self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def tls(self, context, server_hostname):
        """STARTTLS was answered 220: from here on the session is encrypted. Nothing may be
        left unread (the server sends nothing between its 220 and the handshake)."""
        assert self.buf == b"", f"unread plaintext after STARTTLS: {self.buf!r}"
        self.sock = context.wrap_socket(self.sock, server_hostname=server_hostname)

    def close(self):
        self.sock.close()
