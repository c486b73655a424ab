#!/usr/bin/env python3
"""Throughput/latency benchmark for `moat serve` (the content-filter hop, port 10024).

Starts an in-process SMTP sink (the re-injection target) and a moat re-injecting to it,
then pushes the ham corpus through moat at concurrency 1, 4 and 16. Each client holds
ONE persistent SMTP connection and sends MAIL/RCPT/DATA repeatedly; latency is measured
from writing MAIL to receiving the final reply to DATA (moat answers only after it has
filtered and re-injected the message).

    MOAT_BINARY=.build/release/moat python3 Benchmarks/filter_bench.py [--quick] [--messages N]

Clients: `raw` (default) is a lean socket client that PIPELINES MAIL+RCPT+DATA in one
write, then sends the pre-dot-stuffed body in one write; `smtplib` uses the stdlib.
Everything runs on 127.0.0.1; the client and the sink share this Python process (and
the GIL) and the machine's cores with moat, so numbers are a lower bound for moat.
"""
import argparse
import os
import re
import shutil
import smtplib
import sys
import threading
import time
from pathlib import Path

from benchlib import (REPO, TIMEOUT, RawClient, SMTPError, build_of, cpu_seconds, dot_stuff, machine_line,
                      percentile, self_cpu)
from harness.moat import BINARY, Moat  # noqa: E402
from harness.sink import Sink  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "ham"
MAIL_FROM = "bench@example.org"
RCPT_TO = "user@example.com"
WARMUP = 50


# ---- corpus ---------------------------------------------------------------------------
def load_corpus(directory):
    """Every file in `directory` as CRLF bytes, leading mbox `From ` line removed."""
    messages = []
    for path in sorted(p for p in Path(directory).iterdir() if p.is_file()):
        data = path.read_bytes()
        if data.startswith(b"From "):
            nl = data.find(b"\n")
            data = data[nl + 1:] if nl >= 0 else b""
        data = re.sub(rb"\r?\n", b"\r\n", data)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        messages.append(data)
    if not messages:
        raise SystemExit(f"no messages in {directory}")
    return messages


# ---- clients --------------------------------------------------------------------------
class SmtplibClient:
    def __init__(self, port):
        self.smtp = smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT)
        self.smtp.ehlo("bench.example.test")

    def send(self, data):
        # sendmail: MAIL, RCPT, DATA one round-trip each; it dot-stuffs bytes itself.
        refused = self.smtp.sendmail(MAIL_FROM, [RCPT_TO], data)
        if refused:
            raise SMTPError(f"refused: {refused}")

    def close(self):
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


CLIENTS = {"raw": lambda port: RawClient(port, MAIL_FROM, RCPT_TO), "smtplib": SmtplibClient}


# ---- one run --------------------------------------------------------------------------
def run(port, client_cls, payloads, sizes, concurrency, count):
    """Send `count` messages over `concurrency` persistent connections.

    Returns (wall seconds, [latencies], bytes sent, [errors]).
    """
    next_index = [0]
    lock = threading.Lock()
    latencies, errors = [], []
    sent_bytes = [0]
    clients = []
    start_gate = threading.Barrier(concurrency + 1, timeout=TIMEOUT)

    def worker():
        mine, nbytes = [], 0
        try:
            client = client_cls(port)
        except Exception as e:  # report after the barrier so nobody hangs
            errors.append(f"connect: {e!r}")
            client = None
        start_gate.wait()
        if client is None:
            return
        clients.append(client)
        try:
            while True:
                with lock:
                    i = next_index[0]
                    if i >= count:
                        break
                    next_index[0] += 1
                k = i % len(payloads)
                t0 = time.perf_counter()
                client.send(payloads[k])
                mine.append(time.perf_counter() - t0)
                nbytes += sizes[k]
        except Exception as e:
            errors.append(f"message {i}: {e!r}")
        finally:
            with lock:
                latencies.extend(mine)
                sent_bytes[0] += nbytes

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    for c in clients:
        c.close()
    return wall, latencies, sent_bytes[0], errors


def wait_count(sink, target, timeout=30):
    deadline = time.monotonic() + timeout
    while sink.accepted < target and time.monotonic() < deadline:
        time.sleep(0.02)
    return sink.accepted


# ---- main -----------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, help="messages per concurrency level (default: whole corpus)")
    ap.add_argument("--quick", action="store_true", help="300 messages per level")
    ap.add_argument("--concurrency", default="1,4,16", help="comma-separated levels (default 1,4,16)")
    ap.add_argument("--client", choices=sorted(CLIENTS), default="raw")
    ap.add_argument("--corpus", default=str(CORPUS))
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]

    corpus = load_corpus(args.corpus)
    count = args.messages or (300 if args.quick else len(corpus))
    client_cls = CLIENTS[args.client]
    # raw client sends the wire form (dot-stuffed + terminator); smtplib stuffs itself
    payloads = [dot_stuff(m) for m in corpus] if args.client == "raw" else corpus
    sizes = [len(m) for m in corpus]

    binary = os.path.realpath(BINARY)
    build = build_of(binary)
    print(f"moat filter benchmark")
    print(f"  machine : {machine_line()}")
    print(f"  binary  : {binary}")
    print(f"  build   : {build}")
    print(f"  corpus  : {len(corpus)} messages, {sum(sizes) / len(sizes) / 1024:.1f} KiB mean, {args.corpus}")
    print(f"  client  : {args.client}"
          + (" (raw socket, PIPELINING MAIL+RCPT+DATA in one write)" if args.client == "raw"
             else " (stdlib, one round-trip per command)")
          + "; client + sink run in this Python process")
    print(f"  latency : MAIL sent -> final DATA reply; {WARMUP} warm-up messages first", flush=True)
    if build == "debug":
        print("  NOTE    : debug build; numbers are not representative", flush=True)

    sink = Sink(store=False)
    moat = None
    expected = 0
    rows = []
    try:
        sink.start()
        moat = Moat(sink.port).start()

        wall, lat, _, errs = run(moat.port, client_cls, payloads, sizes, 1, WARMUP)
        expected += len(lat)
        if errs:
            raise SystemExit(f"warm-up failed: {errs[0]}\n--- moat log ---\n{moat.log_text()[-3000:]}")

        for c in levels:
            m0, p0 = cpu_seconds(moat.proc.pid), self_cpu()
            wall, lat, nbytes, errs = run(moat.port, client_cls, payloads, sizes, c, count)
            m1, p1 = cpu_seconds(moat.proc.pid), self_cpu()
            moat_cpu = (m1 - m0) / wall if m0 is not None and m1 is not None else float("nan")
            py_cpu = (p1 - p0) / wall
            expected += len(lat)
            for e in errs[:5]:
                print(f"  ERROR (c={c}): {e}", file=sys.stderr)
            rows.append((c, len(lat), len(lat) / wall, nbytes / wall / 1e6,
                         percentile(lat, 50) * 1e3, percentile(lat, 99) * 1e3, wall, moat_cpu, py_cpu))
            print(f"  ... concurrency {c}: {len(lat)} messages in {wall:.2f}s", flush=True)
    finally:
        got = wait_count(sink, expected, timeout=30) if moat and moat.port else sink.accepted
        if moat:
            moat.stop()
            if sys.exc_info()[0] is None:
                shutil.rmtree(moat.base, ignore_errors=True)  # keep config + log on failure
            else:
                print(f"moat's config and log kept in {moat.base}", file=sys.stderr)
        sink.stop()

    print()
    print(f"{'concurrency':>11} {'messages':>9} {'msg/s':>9} {'MB/s':>7} {'p50 ms':>8} {'p99 ms':>8}"
          f" {'wall s':>7} {'moat cpu':>9} {'py cpu':>7}")
    for c, n, mps, mbs, p50, p99, wall, mc, pc in rows:
        print(f"{c:>11} {n:>9} {mps:>9.1f} {mbs:>7.2f} {p50:>8.1f} {p99:>8.1f} {wall:>7.2f}"
              f" {mc:>9.2f} {pc:>7.2f}")
    print(f"(MB/s = message bytes before dot-stuffing; cpu = cores busy during the run:"
          f" moat process vs this Python process (client + sink); {os.cpu_count()} cores total)")
    print()
    if got == expected:
        print(f"sink received {got} messages = {expected} sent (incl. {WARMUP} warm-up)")
        return 0
    print(f"WARNING: sink received {got} messages but {expected} were accepted by moat "
          f"(incl. {WARMUP} warm-up)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
