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
from harness.moat import BINARY, REPO

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


def smuggle_after_each_ending(started, port, sink, sender, recipient):
    """One transaction per ending, each hiding a second one behind it; then what the sink got."""
    c = client(started, port)
    assert c.reply()[0] == 220
    assert c.cmd("EHLO client.example.test")[0] == 250
    for n, ending in enumerate(SMUGGLING_ENDINGS):
        tag = uuid.uuid4().hex
        # The hostile input: message 1, a non-standard end, then a whole second transaction.
        c.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode())
        assert [c.reply()[0] for _ in range(3)] == [250, 250, 354]
        c.send(b"Subject: first " + tag.encode() + b"\r\n\r\nhello" + ending
               + b"MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n"
               + b"Subject: smuggled " + tag.encode() + b"\r\n\r\nforged\r\n.\r\n")
        code, text = c.reply()
        assert code == 250, (ending, code, text)
        sink.wait_for(n + 1)
        # Had the smuggled MAIL been read as a command, its "2.1.0 Ok" would answer this NOOP.
        assert c.buf == b"" and c.cmd("NOOP") == (250, "2.0.0 Ok"), f"{ending!r}: a smuggled command was answered"
    assert c.cmd("QUIT")[0] == 221
    time.sleep(0.5)  # a second message, if smuggled, would follow the first at once
    assert sink.accepted == len(SMUGGLING_ENDINGS)
    for ending, msg in zip(SMUGGLING_ENDINGS, sink.messages):
        assert msg.rcpt_tos == [recipient], (ending, msg.rcpt_tos)
        assert b"hello" in msg.data and b"MAIL FROM:<evil@attacker.example>\r\n" in msg.data, (ending, msg.data)
        assert b"Subject: smuggled" in msg.data and msg.data.endswith(b"forged\r\n"), (ending, msg.data)
        assert not re.search(rb"\r(?!\n)|(?<!\r)\n", msg.data), f"{ending!r}: bare CR or LF passed on"


def test_smuggled_second_message_through_the_filter_stays_content(started, smtp_sink):
    moat = Moat(smtp_sink.port)
    started["moats"].append(moat)
    moat.start()
    smuggle_after_each_ending(started, moat.port, smtp_sink, "sender@example.org", "rcpt@example.com")


def test_smuggled_second_message_through_the_mx_stays_content(started, smtp_sink):
    mx = MoatMX(tls=False, delivery={"relayhost": f"[127.0.0.1]:{smtp_sink.port}", "tls_security_level": "none"})
    started["moats"].append(mx)
    mx.start()
    smuggle_after_each_ending(started, mx.mx_port, smtp_sink, "alice@example.com", "bob@remote.example")


# ---- defect 6 (filter half): access list and exposure -----------------------------------

def test_filter_refuses_a_client_outside_allow_before_the_greeting(started, smtp_sink):
    moat = Moat(smtp_sink.port, filter={"allow": ["127.0.0.2"]})
    started["moats"].append(moat)
    moat.start()
    outsider = client(started, moat.port, "127.0.0.1")
    code, text = outsider.reply()
    assert (code, text.split()[0]) == (554, "5.7.1"), (code, text)
    assert "127.0.0.1" in text
    assert outsider.at_eof()
    insider = client(started, moat.port, "127.0.0.2")
    assert insider.reply()[0] == 220
    assert insider.cmd("QUIT")[0] == 221
    moat.wait_for_log(r"refused connection: client not in the access list")


def config_with(tmp_path, filter_lines):
    path = tmp_path / "moat.toml"
    # Rules and (test) signatures that exist, so only the [filter] lines decide.
    path.write_text("[filter]\n" + "".join(f"{line}\n" for line in filter_lines) + "\n[mx]\nenabled = false\n"
                    f"[spam]\nrules = ['{REPO / 'Rules'}']\nspamassassin_rules = 'off'\n"
                    f"[virus]\ndatabases = ['{REPO / 'Rules' / 'clamav'}']\ntest_signatures_only = true\n"
                    "[service]\nallow_root = true\n")
    return path


def check(path, *command):
    return subprocess.run([BINARY, *command, "-c", str(path)], cwd=path.parent, capture_output=True, timeout=60)


@pytest.mark.parametrize("filter_lines,line,fragment", [
    (['listen = "0.0.0.0:10024"'], 2, "[filter] listen: '0.0.0.0:10024' is reachable beyond loopback"),
    (['reinject = "127.0.0.1:10025"', 'listen = "[::]:10024"'], 3, "[filter] listen: '[::]:10024' is reachable"),
    (['listen = "0.0.0.0:10024"', 'allow = ["192.0.2.0/24", "0.0.0.0/0"]'], 3,
     "[filter] allow: [192.0.2.0/24, 0.0.0.0/0] admits every public IPv4 address"),
    (['listen = "192.0.2.10:10024"', 'allow = ["::/0"]'], 3, "[filter] allow: [::/0] admits every public IPv6 address"),
    (['listen = "0.0.0.0:10024"', 'allow = ["0.0.0.0/1", "128.0.0.0/1"]'], 3,
     "[filter] allow: [0.0.0.0/1, 128.0.0.0/1] admits every public IPv4 address"),
], ids=["any-v4", "any-v6", "allow-everyone-v4", "allow-everyone-v6", "allow-everyone-in-halves"])
def test_exposed_filter_listen_is_refused_with_file_and_line(tmp_path, filter_lines, line, fragment):
    path = config_with(tmp_path, filter_lines)
    for command in (["config", "check"], ["serve"]):
        p = check(path, *command)
        assert p.returncode == 1, (command, p.stdout, p.stderr)
        assert f"{path}:{line}: {fragment}" in p.stderr.decode(), p.stderr.decode()
        assert b"listening on" not in p.stderr


def test_exposed_filter_listen_with_explicit_allow_is_accepted(tmp_path):
    path = config_with(tmp_path, ['listen = "0.0.0.0:10024"', 'allow = ["127.0.0.0/8", "192.0.2.0/24"]'])
    p = check(path, "config", "check")
    assert p.returncode == 0, p.stderr.decode()


# ---- defect 7: lockout -------------------------------------------------------------------

def test_idle_connections_from_ten_addresses_do_not_lock_out_a_new_client(started):
    """10 slots, each taken by an idle client from its own address (127.0.0.2…11). Stress
    begins at the 9th (fewer than 20% free): the idle ones get 421 4.4.2 after the stress
    timeout (2s), not idle_timeout (300s), and a new client is served within seconds."""
    mx = MoatMX(tls=False, mx={"max_connections": 10, "max_connections_per_client": 0,
                               "idle_timeout": "300s", "stress_idle_timeout": "2s"})
    started["moats"].append(mx)
    mx.start()
    idle = []
    for n in range(2, 12):
        c = client(started, mx.mx_port, f"127.0.0.{n}")
        assert c.reply()[0] == 220
        assert c.cmd("EHLO idle.example.test")[0] == 250
        idle.append(c)
    full = time.monotonic()
    newcomer_served = None
    while newcomer_served is None and time.monotonic() - full < 15:
        c = client(started, mx.mx_port, "127.0.0.1")
        code, text = c.reply()
        if code == 220:
            assert c.cmd("EHLO newcomer.example.test")[0] == 250
            assert c.cmd("QUIT")[0] == 221
            newcomer_served = time.monotonic() - full
        else:
            assert (code, text.split()[0]) == (421, "4.3.2"), (code, text)
            time.sleep(0.2)
    assert newcomer_served is not None and newcomer_served < 5, newcomer_served
    # Idle clients cut under stress were told why; once stress is over, the rest keep the
    # normal timeout and are still served.
    cut = 0
    for c in idle:
        c.sock.settimeout(1)
        try:
            code, text = c.reply()
        except TimeoutError:
            c.sock.settimeout(TIMEOUT)
            assert c.cmd("NOOP")[0] == 250
            continue
        assert (code, text.split()[0]) == (421, "4.4.2") and "timeout exceeded" in text, (code, text)
        cut += 1
    assert cut >= 2, cut
    print(f"\nslot exhaustion: newcomer served {newcomer_served:.2f}s after the 10 slots were full; {cut} idle cut")
    mx.wait_for_log(r"stress over")
    # Logged once per change: entries and exits alternate, beginning with an entry at 9 of 10.
    changes = re.findall(r"stress(:| over:) (\d+) of 10", mx.log_text())
    assert changes[0] == (":", "9"), changes
    assert all(a[0] != b[0] for a, b in zip(changes, changes[1:])), changes


def test_one_byte_per_second_data_is_cut_at_the_data_deadline(started, smtp_sink):
    """idle_timeout 3s, min_data_rate 500 B/s: DATA may last 3s + bytes/500, so a client
    dripping one byte a second (each byte well within the per-read timeout) is cut at ~3s."""
    moat = Moat(smtp_sink.port, filter={"idle_timeout": "3s", "min_data_rate": 500})
    started["moats"].append(moat)
    moat.start()
    c = client(started, moat.port)
    assert c.reply()[0] == 220
    for command in ("EHLO slow.example.test", "MAIL FROM:<s@example.org>", "RCPT TO:<r@example.com>"):
        assert c.cmd(command)[0] == 250
    assert c.cmd("DATA")[0] == 354
    began = time.monotonic()
    c.sock.settimeout(1)
    reply = None
    payload = b"Subject: drip\r\n\r\n" + b"x" * 10  # 27 s at 1 B/s: past the deadline, not forever
    for byte in payload:
        try:
            c.send(bytes([byte]))
        except OSError:
            break
        try:
            data = c.sock.recv(4096)
        except socket.timeout:
            continue
        reply = (data, time.monotonic() - began)
        break
    assert reply is not None, "DATA at 1 B/s was never cut off"
    data, elapsed = reply
    assert data.startswith(b"421 4.4.2 ") and b"Error: timeout exceeded" in data, data
    print(f"\nslow DATA: 421 after {elapsed:.2f}s (deadline 3s + ~3 bytes/500)")
    assert 2.5 <= elapsed <= 5.0, elapsed
    assert smtp_sink.accepted == 0
    moat.wait_for_log(r"timeout: DATA below the minimum data rate")


def test_connection_rate_limit_refuses_the_next_connection_and_exempts_mynetworks(started):
    mx = MoatMX(tls=False, mx={"client_connection_rate_limit": 3, "anvil_rate_time_unit": "60s",
                               "mynetworks": ["127.0.0.3/32"]})
    started["moats"].append(mx)
    mx.start()

    def session(source):
        c = client(started, mx.mx_port, source)
        code, text = c.reply()
        if code == 220:
            assert c.cmd("QUIT")[0] == 221
        return code, text

    assert [session("127.0.0.2")[0] for _ in range(3)] == [220] * 3
    code, text = session("127.0.0.2")
    assert (code, text) == (421, "4.7.0 mx.example.test Error: too many connections from 127.0.0.2"), text
    assert session("127.0.0.4")[0] == 220, "the limit is per client"
    assert [session("127.0.0.3")[0] for _ in range(6)] == [220] * 6, "mynetworks is exempt"
