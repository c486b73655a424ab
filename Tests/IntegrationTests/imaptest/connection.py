"""One IMAP connection: reads whole responses (literals included) within deadlines.

Only loopback servers are allowed: the runner deletes the test mailboxes of the
account it logs in to, and is meant for a server the test itself started.
"""
import ipaddress
import re
import socket
import time
from dataclasses import dataclass

from imaptest.imapargs import ParseError, parse

MAX_LINE = 4 * 1024 * 1024
MAX_LITERAL = 64 * 1024 * 1024
_LITERAL_AT_END = re.compile(rb"~?\{(\d+)\}\r?\n$")


class ServerTimeout(TimeoutError):
    """The server sent nothing (or not enough) before the deadline."""


class ProtocolError(ValueError):
    """The server sent something that is not an IMAP response."""


@dataclass
class Response:
    tag: str      # '*', '+' or the command's tag
    args: list    # the parsed arguments after the tag
    text: str     # the raw response (latin-1), for reports


def require_loopback(host):
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except socket.gaierror as e:
        raise ValueError(f"cannot resolve {host!r}: {e}") from e
    for a in addresses:
        if not ipaddress.ip_address(a.split("%")[0]).is_loopback:
            raise ValueError(f"{host!r} resolves to {a}, not a loopback address; the runner only talks to loopback")


class Connection:
    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = bytearray()
        self.closed = False
        self.seen_bye = False
        self.logging_out = False
        self.exists = 0
        self.capabilities = set()

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass

    def send(self, text):
        try:
            self.sock.sendall(text.encode("latin-1"))
        except OSError as e:
            raise ProtocolError(f"send failed: {e}") from e

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServerTimeout("no complete response in time")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as e:
            raise ServerTimeout("no complete response in time") from e
        except OSError:
            chunk = b""
        if not chunk:
            return False
        self.buf += chunk
        return True

    def _read_line(self, deadline):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i + 1])
                del self.buf[:i + 1]
                return line
            if len(self.buf) > MAX_LINE:
                raise ProtocolError(f"a response line over {MAX_LINE} bytes")
            if not self._fill(deadline):
                return None

    def _read_exact(self, n, deadline):
        while len(self.buf) < n:
            if not self._fill(deadline):
                return None
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def read_response(self, deadline):
        """The next complete response, or None when the server closed the connection."""
        if self.closed:
            return None
        raw = bytearray()
        while True:
            line = self._read_line(deadline)
            if line is None:
                self.close()
                return None
            raw += line
            m = _LITERAL_AT_END.search(line)
            if not m:
                break
            size = int(m.group(1))
            if size > MAX_LITERAL or len(raw) + size > MAX_LITERAL:
                raise ProtocolError(f"a literal of {size} bytes is over the {MAX_LITERAL} limit")
            data = self._read_exact(size, deadline)
            if data is None:
                self.close()
                return None
            raw += data
        text = raw.decode("latin-1")
        body = text[:-2] if text.endswith("\r\n") else text.rstrip("\n")
        tag, _, rest = body.partition(" ")
        if tag == "+":
            return Response("+", [], text)
        try:
            args, _ = parse(rest, lenient=True, max_literal=MAX_LITERAL)
        except ParseError as e:
            raise ProtocolError(f"unparsable response {body[:200]!r}: {e}") from e
        return Response(tag, args, text)
