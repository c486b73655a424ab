"""Memory for mail in flight (issue 9, defect 8): 50 concurrent 10 MB messages, mostly a
base64 attachment as real mail is, through the MX and through the filter. The resident
peak stays under 1 GB (VmHWM, the kernel's own high-water mark) and memory goes back after
the burst; past the shared in-memory budget a message gets `451 4.3.1`, never a crash.
Only loopback; ports picked at run time; every wait bounded."""
import base64
import contextlib
import os
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harness import Moat, MoatMX

MESSAGES = 50
MESSAGE_SIZE = 10_000_000          # under Postfix's message_size_limit (10240000) with our headers
PEAK_LIMIT_KIB = 1024 * 1024       # 1 GiB for 50 x 10 MB in flight
RETURNED_KIB = 160 * 1024          # what may stay above the pre-burst figure once all is done
SINK = Path(__file__).resolve().parent / "harness" / "sink.py"


def big_message(index, size=MESSAGE_SIZE):
    """A short text part and a base64 attachment of random bytes, `size` bytes in all."""
    head = (f"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: report {index}\r\n"
            f"Message-ID: <big{index}.{time.monotonic_ns()}@example.org>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b0undary\"\r\n\r\n"
            "--b0undary\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe figures are attached.\r\n\r\n"
            "--b0undary\r\nContent-Type: application/octet-stream; name=\"figures.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"figures.bin\"\r\n\r\n"
            ).encode()
    tail = b"\r\n--b0undary--\r\n"
    lines = (size - len(head) - len(tail)) // 78  # 76 base64 characters + CRLF carry 57 bytes
    message = head + base64.encodebytes(os.urandom(lines * 57)).replace(b"\n", b"\r\n") + tail
    assert size - 78 < len(message) <= size, len(message)
    return message


def status_kib(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


class MemoryWatch:
    """Samples VmRSS of `pid` every 20 ms on a thread, for the report; the peak asserted
    is VmHWM, which misses nothing between two samples."""

    def __init__(self, pid):
        self.pid, self.samples, self._stop = pid, [], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.wait(0.02):
            try:
                self.samples.append(status_kib(self.pid, "VmRSS"))
            except (FileNotFoundError, ProcessLookupError):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


def send_concurrently(ports, messages, declare_size_every=2, timeout=600):
    """One SMTP session per message (to `ports`, one port or one per message), all at once (a barrier holds DATA until every session
    is ready). Every other one declares SIZE= at MAIL (as Postfix does), the rest do not:
    the server cannot rely on it. `timeout` is Postfix's smtp_data_done_timeout: the last
    messages wait for their turn at the content check. Returns the (code, text) of each DATA."""
    results = [None] * len(messages)
    ports = ports if isinstance(ports, list) else [ports] * len(messages)
    barrier = threading.Barrier(len(messages), timeout=timeout)

    def send(i):
        try:
            with smtplib.SMTP("127.0.0.1", ports[i], timeout=timeout) as s:
                s.ehlo("client.example.test")
                options = [f"SIZE={len(messages[i])}"] if i % declare_size_every == 0 else []
                code, text = s.mail("sender@example.org", options)
                assert code == 250, (code, text)
                code, text = s.rcpt("alice@example.com")
                assert code == 250, (code, text)
                barrier.wait()
                results[i] = s.data(messages[i])
        except smtplib.SMTPResponseException as e:
            results[i] = (e.smtp_code, e.smtp_error)
        except Exception as e:  # noqa: BLE001 - reported with the others below
            results[i] = (0, repr(e).encode())
            barrier.abort()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(messages))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 30)
    return results


def settled_rss(pid, ceiling_kib, timeout=20):
    """RSS once it is at most `ceiling_kib`, or the last reading after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        rss = status_kib(pid, "VmRSS")
        if rss <= ceiling_kib or time.monotonic() > deadline:
            return rss
        time.sleep(0.2)


def warm_up(port):
    """One small message first, so lazily built state (ruleset, pools) is in the baseline."""
    [(code, text)] = send_concurrently(port, [b"Subject: warm-up\r\n\r\nhello\r\n"])
    assert code == 250, text


def assert_burst_bounded(name, proc, port, messages, until_done=lambda: None):
    """Sends `messages` at once to `port`, waits for `until_done`, then checks the peak
    (VmHWM) and what is still resident once the burst is over; prints the figures."""
    pid = proc.pid
    before = status_kib(pid, "VmRSS")
    started = time.monotonic()
    with MemoryWatch(pid) as watch:
        results = send_concurrently(port, messages)
        refused = [(i, code, text[:200]) for i, (code, text) in enumerate(results) if code != 250]
        assert not refused, refused
        until_done()
    after = settled_rss(pid, before + RETURNED_KIB)
    peak = status_kib(pid, "VmHWM")
    per_byte = (max(watch.samples, default=peak) - before) * 1024 / sum(map(len, messages))
    print(f"\n{name}: before={before // 1024} MiB peak(VmHWM)={peak // 1024} MiB "
          f"after={after // 1024} MiB, x{per_byte:.2f} per message byte, {time.monotonic() - started:.1f}s",
          file=sys.stderr)
    assert proc.poll() is None
    assert peak <= PEAK_LIMIT_KIB, f"peak RSS {peak // 1024} MiB"
    assert after <= before + RETURNED_KIB, f"{after // 1024} MiB resident after the burst, {before // 1024} before"


@contextlib.contextmanager
def sink_port():
    """harness/sink.py in its own process (counting, not storing), so it does not compete
    with the sending threads for this interpreter."""
    sink = subprocess.Popen([sys.executable, str(SINK), "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        yield int(sink.stdout.readline())
    finally:
        sink.terminate()
        sink.wait(10)


@pytest.fixture(scope="module")
def messages():
    return [big_message(i) for i in range(MESSAGES)]


def test_mx_holds_50_concurrent_10mb_messages_under_1gb_and_gives_memory_back(messages):
    # The content filter's share is the next test's; here the MX's own buffers: the
    # session, its Received header, the queue write and the Maildir deliveries.
    with MoatMX(tls=False, mx={"filter": False}) as mx:
        mx.add_user("alice@example.com")
        warm_up(mx.mx_port)
        mx.delivered("alice@example.com", count=1)
        assert_burst_bounded("MX", mx.proc, mx.mx_port, messages,
                             until_done=lambda: mx.delivered("alice@example.com", count=MESSAGES + 1, timeout=240))


def test_filter_holds_50_concurrent_10mb_messages_under_1gb_and_gives_memory_back(messages):
    with sink_port() as port:
        moat = Moat(port, filter={"max_connections": 100}).start()
        try:
            warm_up(moat.port)
            assert_burst_bounded("filter", moat.proc, moat.port, messages)
        finally:
            moat.stop()


def test_past_the_shared_memory_budget_a_message_gets_451_4_3_1_and_goes_through_on_retry(messages):
    """Hostile load: two 10 MB messages to the filter listener and two to the MX listener at
    once, against `[limits] message_memory = 25M`. Each listener's pair alone would fit;
    together they do not, because the budget is one for the whole process. What does not fit
    is read to its end and answered `451 4.3.1 Insufficient system resources` (Postfix will
    retry), nothing crashes, and once the others are done a retry is taken: the budget was
    given back."""
    with sink_port() as port:
        with MoatMX(port, tls=False, mx={"filter": False}, limits={"message_memory": "25M"}) as mx:
            mx.add_user("alice@example.com")
            ports = [mx.port, mx.port, mx.mx_port, mx.mx_port]
            results = send_concurrently(ports, messages[:4])
            refusal = (451, b"4.3.1 Insufficient system resources")
            refused = [i for i, reply in enumerate(results) if reply == refusal]
            accepted = [i for i, (code, _) in enumerate(results) if code == 250]
            assert refused and accepted and len(refused) + len(accepted) == 4, results
            assert mx.proc.poll() is None
            for i in refused:
                [(code, text)] = send_concurrently(ports[i], [messages[i]])
                assert code == 250, text
