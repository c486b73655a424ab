"""A lean blocking IMAP client for the benchmarks: one command at a time, literals read
whole, every tagged reply other than OK raised as `IMAPFailure` so the caller counts it.
imaplib is not used: it parses far more than a load generator needs, and its cost would
show up as client CPU."""
import re
import socket

LITERAL_AT_END = re.compile(rb"\{(\d+)\+?\}$")


class IMAPFailure(Exception):
    """A NO or BAD reply (`kind` is the status), an unexpected BYE or a lost connection
    (`kind` is "BYE" / "disconnect"), for `command`."""

    def __init__(self, kind, command, text):
        super().__init__(f"{command}: {kind} {text}")
        self.kind, self.command, self.text = kind, command, text


class Reply:
    """The untagged lines (literals inlined) and the tagged line of one command."""
    __slots__ = ("untagged", "tagged")

    def __init__(self, untagged, tagged):
        self.untagged, self.tagged = untagged, tagged

    def counts(self, word):
        """The numbers of `* N WORD` lines (EXISTS, EXPUNGE), in order."""
        word = b" " + word
        return [int(line[2:line.index(b" ", 2)]) for line in self.untagged
                if line[2:3].isdigit() and line.endswith(word)]


class IMAPConnection:
    """One session over plaintext loopback; `command` returns a Reply or raises."""

    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.tag = 0
        self.capabilities = set()
        greeting = self.read_line()
        if not greeting.startswith(b"* OK"):
            raise IMAPFailure("BYE", "greeting", greeting.decode(errors="replace"))
        if b"[CAPABILITY " in greeting:
            self.note_capabilities(greeting)

    def _fill(self, command):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise IMAPFailure("disconnect", command, "connection closed by server")
        self.buf += chunk

    def read_line(self, command="greeting"):
        """One response line, with any literals it carries appended in place."""
        parts = []
        while True:
            end = self.buf.find(b"\r\n")
            while end < 0:
                self._fill(command)
                end = self.buf.find(b"\r\n")
            line = bytes(self.buf[:end])
            del self.buf[:end + 2]
            parts.append(line)
            literal = LITERAL_AT_END.search(line)
            if not literal:
                return b"".join(parts)
            size = int(literal.group(1))
            while len(self.buf) < size:
                self._fill(command)
            parts.append(bytes(self.buf[:size]))
            del self.buf[:size]

    def _send(self, data, command):
        try:
            self.sock.sendall(data)
        except OSError as error:
            raise IMAPFailure("disconnect", command, str(error)) from None

    def command(self, text, literal=None, expect_bye=False):
        """Sends `tag text` (and `literal` after it: LITERAL+ when offered, else after the
        server's continuation) and reads until the tagged reply."""
        self.tag += 1
        tag = b"b%d" % self.tag
        name = text.split(b" ", 1)[0].decode()
        if literal is None:
            self._send(tag + b" " + text + b"\r\n", name)
        elif b"LITERAL+" in self.capabilities:
            self._send(tag + b" " + text + b" {%d+}\r\n" % len(literal) + literal + b"\r\n", name)
        else:
            self._send(tag + b" " + text + b" {%d}\r\n" % len(literal), name)
            line = self.read_line(name)
            if not line.startswith(b"+"):
                raise IMAPFailure("NO", name, line.decode(errors="replace"))
            self._send(literal + b"\r\n", name)
        untagged = []
        prefix = tag + b" "
        try:
            while True:
                line = self.read_line(name)
                if line.startswith(prefix):
                    break
                if line.startswith(b"* BYE") and not expect_bye:
                    raise IMAPFailure("BYE", name, line.decode(errors="replace"))
                if line.startswith(b"* CAPABILITY ") or line.startswith(b"* OK [CAPABILITY "):
                    self.note_capabilities(line)
                untagged.append(line)
        except socket.timeout:
            raise IMAPFailure("disconnect", name, "timed out waiting for the reply") from None
        status = line[len(prefix):].split(b" ", 1)
        if status[0] != b"OK":
            raise IMAPFailure(status[0].decode(errors="replace"), name,
                              (status[1] if len(status) > 1 else b"").decode(errors="replace"))
        if b"[CAPABILITY " in line:
            self.note_capabilities(line)
        return Reply(untagged, line)

    def note_capabilities(self, line):
        words = line.split(b"CAPABILITY ", 1)[1].split(b"]", 1)[0]
        self.capabilities = set(words.upper().split())

    def login(self, user, password):
        self.command(b'LOGIN "%s" "%s"' % (user.encode(), password.encode()))
        if not self.capabilities or b"IMAP4REV1" not in self.capabilities:
            self.command(b"CAPABILITY")

    def logout(self):
        self.command(b"LOGOUT", expect_bye=True)
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
