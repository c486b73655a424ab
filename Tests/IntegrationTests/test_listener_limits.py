"""The listeners under abuse (issue 9, defects 5, 6 and 7): SMTP smuggling through the
filter, the filter's client access list and its exposure check, idle connections that take
every slot, DATA at one byte a second, and the per-client connection rate.

Real `moat serve` processes and the harness sink; only loopback addresses (clients bind
127.0.0.2… as their source to look like other hosts), ports picked at run time, every socket
with a timeout. The limits are configured small so each test takes seconds.
"""
import re
import socket
import subprocess
import time
import uuid

import pytest

from harness import Moat, MoatMX
from harness import RawClient
from harness.moat import BINARY

TIMEOUT = 20


class Client(RawClient):
    """RawClient whose connection comes from `source` (any 127/8 address is local on Linux)."""

    def __init__(self, port, source="127.0.0.1", timeout=TIMEOUT):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
        self.buf = b""


@pytest.fixture
def started():
    """Moat processes and clients to stop at teardown."""
    things = {"moats": [], "clients": []}
    yield things
    for c in things["clients"]:
        c.close()
    for m in things["moats"]:
        m.stop()


def client(started, port, source="127.0.0.1", timeout=TIMEOUT):
    c = Client(port, source, timeout)
    started["clients"].append(c)
    return c


# ---- defect 5: SMTP smuggling ------------------------------------------------------------

# Each is an end-of-data that some server honours; only <CR><LF>.<CR><LF> may end DATA.
SMUGGLING_ENDINGS = [b"\n.\n", b"\r\n.\n", b"\n.\r\n", b"\r.\r", b"\r.\r\n", b"\r\n.\r", b"\n.\r"]


def test_smuggled_second_message_through_the_filter_stays_content(started, smtp_sink):
    moat = Moat(smtp_sink.port)
    started["moats"].append(moat)
    moat.start()
    c = client(started, moat.port)
    assert c.reply()[0] == 220
    assert c.cmd("EHLO postfix.example.test")[0] == 250
    for n, ending in enumerate(SMUGGLING_ENDINGS):
        tag = uuid.uuid4().hex
        # The hostile input: message 1, a non-standard end, then a whole second transaction.
        c.send(b"MAIL FROM:<sender@example.org>\r\nRCPT TO:<rcpt@example.com>\r\nDATA\r\n")
        assert [c.reply()[0] for _ in range(3)] == [250, 250, 354]
        c.send(b"Subject: first " + tag.encode() + b"\r\n\r\nhello" + ending
               + b"MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n"
               + b"Subject: smuggled " + tag.encode() + b"\r\n\r\nforged\r\n.\r\n")
        code, text = c.reply()
        assert code == 250, (ending, code, text)
        got = smtp_sink.wait_for(n + 1)
        assert c.cmd("NOOP")[0] == 250, f"{ending!r}: a smuggled command was answered"
    assert c.cmd("QUIT")[0] == 221
    time.sleep(0.5)  # a second message, if smuggled, would follow the first at once
    assert smtp_sink.accepted == len(SMUGGLING_ENDINGS)
    for ending, msg in zip(SMUGGLING_ENDINGS, smtp_sink.messages):
        assert msg.rcpt_tos == ["rcpt@example.com"], (ending, msg.rcpt_tos)
        assert b"hello" in msg.data and b"MAIL FROM:<evil@attacker.example>\r\n" in msg.data, (ending, msg.data)
        assert b"Subject: smuggled" in msg.data and msg.data.endswith(b"forged\r\n"), (ending, msg.data)
        assert not re.search(rb"\r(?!\n)|(?<!\r)\n", msg.data), f"{ending!r}: bare CR or LF passed on"
