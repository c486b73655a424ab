"""A canned IMAP server on a loopback socket, for testing the runner itself.

`handler(command, literal_bodies)` returns the lines to send for one command
(`{tag}` is replaced by its tag); LOGIN, CAPABILITY and LOGOUT have defaults.
A synchronizing literal gets '+ go' only after its header line arrived, and the
server records whether any of its data came before that.
"""
import re
import socket
import threading

LITERAL = re.compile(rb"\{(\d+)(\+?)\}\r\n$")


class FakeServer:
    def __init__(self, handler, capabilities="IMAP4rev1 LITERAL+ ID", greeting="* OK fake ready"):
        self.handler = handler
        self.capabilities = capabilities
        self.greeting = greeting
        self.commands = []
        self.early_literal_data = False
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)  # so the accept loop notices stopping: close() does not wake accept()
        self.port = self.sock.getsockname()[1]
        self.threads = []
        self.stopping = False
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.sock.close()
        for t in self.threads:
            t.join(timeout=5)

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, conn):
        conn.settimeout(15)
        f = conn.makefile("rb")
        try:
            conn.sendall(self.greeting.encode() + b"\r\n")
            while True:
                line = f.readline(1 << 20)
                if not line:
                    return
                bodies = []
                while (m := LITERAL.search(line)):
                    if m.group(2) != b"+":
                        conn.setblocking(False)
                        try:
                            if conn.recv(1, socket.MSG_PEEK):
                                self.early_literal_data = True
                        except BlockingIOError:
                            pass
                        conn.settimeout(15)
                        conn.sendall(b"+ go\r\n")
                    body = f.read(int(m.group(1)))
                    bodies.append(body.decode("latin-1"))
                    line = line + body + f.readline(1 << 20)
                text = line.decode("latin-1").rstrip("\r\n")
                tag, _, command = text.partition(" ")
                self.commands.append(command)
                for out in self._reply(command, bodies):
                    conn.sendall(out.replace("{tag}", tag).encode("latin-1") + b"\r\n")
                if command.upper() == "LOGOUT":
                    return
        except OSError:
            return
        finally:
            f.close()
            conn.close()

    def _reply(self, command, bodies):
        lines = self.handler(command, bodies)
        if lines is not None:
            return lines
        verb = command.split(" ", 1)[0].upper()
        if verb == "CAPABILITY":
            return [f"* CAPABILITY {self.capabilities}", "{tag} OK done"]
        if verb == "LOGOUT":
            return ["* BYE bye", "{tag} OK done"]
        return ["{tag} OK done"]
