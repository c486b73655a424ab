#!/usr/bin/env python3
"""MX benchmark: Postfix's `smtp-source` against Moat's MX and against Postfix.

Three servers in turn, each fresh in its own temporary directory on this machine:
  1. Moat's MX (release `moat serve`): durable queue (fsync before 250), the content
     filter in the dialogue (libclamav with Rules/clamav, Moat's Rules/ spam rules,
     network tests and Bayes off), local Maildir delivery for example.com;
  2. the same with `[mx] filter = false`, to compare with Postfix like for like;
  3. a private Postfix (the integration tests' PostfixInstance): virtual(8) Maildir
     delivery for the same domain, no content filter.
Each gets `smtp-source -s N` for N = 1, 10, 50 sessions, one recipient per message
(alice@example.com, one mailbox made with the CLI / virtual_mailbox_maps).

    MOAT_BINARY=.build/release/moat python3 Benchmarks/mx_bench.py [--quick] [--messages N]

Per run it prints: accepted messages/s (smtp-source's wall time), end-to-end messages/s
(until every accepted message is a file in the Maildir: the queue + delivery rate),
p50/p99 latency and where the CPU went. smtp-source reports no latency, so a probe
client in this process sends sequential messages over its own session while smtp-source
runs and times each from MAIL to the 250 after DATA. Figures only; but every accepted
message must arrive, exactly once, or the run fails. Loopback only, ports picked at
run time.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchlib import (REPO, RawClient, build_of, cpu_seconds, disk_flushes, disk_of, dot_stuff, filesystem_of, group_cpu,
                      machine_cpu, machine_line, percentile, self_cpu)
from harness.moat import BINARY, MoatMX  # noqa: E402
from harness.postfix import PostfixInstance  # noqa: E402

SMTP_SOURCE = "/usr/sbin/smtp-source"
SENDER = "sender@example.org"
RECIPIENT = "alice@example.com"
CLIENT_NAME = "client.example.test"
WARMUP = 50
PROBE_INTERVAL = 0.05  # seconds from one probe message's start to the next's, at least
POLL = 0.05  # seconds between Maildir counts


# ---- the servers ----------------------------------------------------------------------
def maildir_count(root):
    """Messages in a Maildir and its Maildir++ folders (spam goes to .Junk), new/ and cur/."""
    count = 0
    folders = [root] + ([p for p in root.iterdir() if p.name.startswith(".") and p.is_dir()] if root.is_dir() else [])
    for folder in folders:
        for sub in ("new", "cur"):
            try:
                count += sum(1 for _ in os.scandir(folder / sub))
            except FileNotFoundError:
                pass
    return count


class MoatServer:
    """`moat serve` as the MX with queue, filter (or not) and local delivery."""

    def __init__(self, filter_on):
        self.name = "moat" if filter_on else "moat nofilter"
        self.moat = MoatMX(
            tls=False,  # smtp-source speaks plaintext; Postfix gets no TLS either
            mx={"filter": filter_on, "client_lookup_timeout": "10s"},  # the default, not the tests' 2s
            spam={"rules": [str(REPO / "Rules")], "tag_level": 2.0, "use_network": False},
            bayes={"enabled": False},
            virus={"engine": "libclamav", "databases": [str(REPO / "Rules" / "clamav")]})

    def start(self):
        # The first start compiles the rule set (hyperscan), which takes a while.
        self.moat.start(timeout=180)
        self.moat.add_user(RECIPIENT)
        self.port = self.moat.mx_port
        return self

    def delivered(self):
        return maildir_count(self.moat.maildir(RECIPIENT))

    def cpu(self):
        return cpu_seconds(self.moat.proc.pid)

    def close(self, keep):
        self.moat.stop()
        if keep:
            print(f"{self.name}: config, log and spool kept in {self.moat.base}", file=sys.stderr)
        else:
            shutil.rmtree(self.moat.base, ignore_errors=True)


class PostfixServer:
    """A private Postfix delivering example.com to Maildirs with virtual(8)."""

    name = "postfix"

    def __init__(self):
        self.postfix = PostfixInstance(mailboxes=(RECIPIENT,))

    def start(self):
        self.postfix.start()
        self.port = self.postfix.smtp_port
        return self

    def delivered(self):
        return maildir_count(self.postfix.maildir(RECIPIENT))

    def cpu(self):
        """CPU of master's process group (an smtpd that exits after max_use is counted)."""
        return group_cpu(self.postfix.master_pid())

    def close(self, keep):
        if keep:
            self.postfix.stop()
            print(f"postfix: config, maillog and Maildirs kept in {self.postfix.base}", file=sys.stderr)
        else:
            self.postfix.close()


# ---- what the machine did -------------------------------------------------------------
def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


@dataclass
class Sample:
    """Counters read at the start and end of a run; their differences say where time went."""
    wall: float
    server: float
    me: float
    children: float
    machine: tuple
    flushes: int

    @classmethod
    def take(cls, server, disk):
        return cls(time.perf_counter(), server.cpu(), self_cpu(), children_cpu(), machine_cpu(),
                   disk_flushes(disk) if disk else None)


# ---- the latency probe ----------------------------------------------------------------
def probe_message(size):
    """A message shaped like smtp-source's: four header lines, then 80-byte lines up to
    `size` bytes (whole lines: DATA needs the last one to end in CRLF)."""
    lines = [f"{n}".ljust(78, "X").encode() + b"\r\n" for n in range(1, -(-size // 80) + 1)]
    head = (f"From: <{SENDER}>\r\nTo: <{RECIPIENT}>\r\nDate: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
            f"Message-Id: <probe.{os.getpid()}.{time.time_ns()}@{CLIENT_NAME}>\r\n\r\n").encode()
    return head + b"".join(lines)


class Probe(threading.Thread):
    """One extra session that sends a message, waits for the 250, and does it again no
    sooner than PROBE_INTERVAL later, until stopped; it keeps each message's latency."""

    def __init__(self, port, size):
        super().__init__(daemon=True)
        self.client = RawClient(port, SENDER, RECIPIENT, helo="probe.example.test")
        self.wire = dot_stuff(probe_message(size))
        self.go, self.halt = threading.Event(), threading.Event()
        self.latencies, self.error = [], None

    def run(self):
        self.go.wait(timeout=60)
        try:
            while not self.halt.is_set():
                t0 = time.perf_counter()
                self.client.send(self.wire)
                self.latencies.append(time.perf_counter() - t0)
                self.halt.wait(max(0.0, PROBE_INTERVAL - (time.perf_counter() - t0)))
        except Exception as e:  # reported by the caller: a refused message fails the run
            self.error = e
        finally:
            self.client.close()

    def finish(self, timeout=120):
        self.halt.set()
        self.join(timeout)
        if self.is_alive():
            raise SystemExit("latency probe did not finish")
        if self.error:
            raise SystemExit(f"latency probe failed: {self.error!r}")
        return self.latencies


# ---- one run --------------------------------------------------------------------------
def smtp_source(port, sessions, count, size, timeout):
    """Runs smtp-source to completion; it exits non-zero on any reply other than the
    expected one, so a clean exit means every message was accepted."""
    argv = [SMTP_SOURCE, "-s", str(sessions), "-m", str(count), "-l", str(size), "-f", SENDER, "-t", RECIPIENT,
            "-M", CLIENT_NAME, f"127.0.0.1:{port}"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise SystemExit(f"{' '.join(argv)}: no end within {timeout}s")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {out.decode(errors='replace')[-2000:]}")
    return argv


def wait_delivered(server, target, timeout):
    """Polls the Maildir until it holds `target` messages; returns when that was seen."""
    deadline = time.monotonic() + timeout
    while True:
        got = server.delivered()
        if got >= target:
            return time.perf_counter(), got
        if time.monotonic() > deadline:
            raise SystemExit(f"{server.name}: {got} of {target} accepted messages in the Maildir after {timeout}s")
        time.sleep(POLL)


@dataclass
class Row:
    server: str
    sessions: int
    messages: int
    accepted_rate: float
    e2e_rate: float
    drain: float
    p50: float
    p99: float
    samples: int
    cpu_server: float
    cpu_source: float
    cpu_me: float
    cpu_other: float
    idle: float
    iowait: float
    flushes_per_msg: float


def run(server, sessions, count, size, disk):
    """One smtp-source run with the probe beside it; every accepted message must arrive."""
    before = server.delivered()
    probe = Probe(server.port, size)
    probe.start()
    timeout = 120 + count
    try:
        start = Sample.take(server, disk)
        probe.go.set()
        smtp_source(server.port, sessions, count, size, timeout)
        accepted_at = time.perf_counter()
    except BaseException:
        probe.halt.set()
        raise
    latencies = probe.finish()
    expected = before + count + len(latencies)
    done_at, got = wait_delivered(server, expected, timeout)
    end = Sample.take(server, disk)
    time.sleep(0.5)  # a duplicate delivery would show up as one too many
    got = server.delivered()
    if got != expected:
        raise SystemExit(f"{server.name}, {sessions} sessions: {got - before} messages delivered,"
                         f" {expected - before} accepted")

    wall = end.wall - start.wall
    busy, idle, iowait = (b - a for a, b in zip(start.machine, end.machine))
    jiffies = busy + idle + iowait
    total = count + len(latencies)
    return Row(server.name, sessions, total,
               accepted_rate=count / (accepted_at - start.wall),
               e2e_rate=total / (done_at - start.wall),
               drain=done_at - accepted_at,
               p50=percentile(latencies, 50) * 1e3, p99=percentile(latencies, 99) * 1e3, samples=len(latencies),
               cpu_server=(end.server - start.server) / wall,
               cpu_source=(end.children - start.children) / wall,
               cpu_me=(end.me - start.me) / wall,
               # what the rest of the machine took: other sessions' builds skew a run
               cpu_other=(os.cpu_count() * busy / jiffies
                          - (end.server - start.server + end.children - start.children + end.me - start.me) / wall),
               idle=100 * idle / jiffies, iowait=100 * iowait / jiffies,
               flushes_per_msg=(end.flushes - start.flushes) / total if start.flushes is not None else float("nan"))


def bench(server, levels, count, size, disk):
    """Starts the server, warms it up, runs each level, stops it."""
    rows, failed = [], True
    try:
        server.start()
        before = server.delivered()
        smtp_source(server.port, 5, WARMUP, size, 300)
        wait_delivered(server, before + WARMUP, 300)
        for sessions in levels:
            rows.append(run(server, sessions, count, size, disk))
            r = rows[-1]
            print(f"  ... {server.name}, {sessions} sessions: {r.accepted_rate:.1f} msg/s accepted,"
                  f" {r.e2e_rate:.1f} msg/s end to end", flush=True)
        failed = False
    finally:
        server.close(keep=failed)
    return rows


# ---- report ---------------------------------------------------------------------------
def print_rows(rows):
    print(f"{'server':<14} {'sessions':>8} {'messages':>8} {'accepted/s':>10} {'e2e/s':>8} {'drain s':>7}"
          f" {'p50 ms':>7} {'p99 ms':>7} {'n':>4}  {'cpu srv':>7} {'src':>5} {'py':>5} {'other':>5} {'idle%':>5} {'iow%':>5}"
          f" {'flush/msg':>9}")
    for r in rows:
        print(f"{r.server:<14} {r.sessions:>8} {r.messages:>8} {r.accepted_rate:>10.1f} {r.e2e_rate:>8.1f}"
              f" {r.drain:>7.2f} {r.p50:>7.1f} {r.p99:>7.1f} {r.samples:>4}  {r.cpu_server:>7.2f}"
              f" {r.cpu_source:>5.2f} {r.cpu_me:>5.2f} {r.cpu_other:>5.2f} {r.idle:>5.1f} {r.iowait:>5.1f} {r.flushes_per_msg:>9.2f}")


def print_ratios(rows, levels):
    by = {(r.server, r.sessions): r for r in rows}
    print(f"{'ratio vs postfix':<22} {'sessions':>8} {'accepted':>9} {'e2e':>7}")
    for name in ("moat", "moat nofilter"):
        for s in levels:
            m, p = by.get((name, s)), by.get(("postfix", s))
            if m and p:
                print(f"{name + ' / postfix':<22} {s:>8} {m.accepted_rate / p.accepted_rate:>8.2f}x"
                      f" {m.e2e_rate / p.e2e_rate:>6.2f}x")


def postfix_version():
    p = subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True, text=True, timeout=30)
    return p.stdout.strip() or "unknown"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, help="smtp-source messages per run (default 2000)")
    ap.add_argument("--quick", action="store_true", help="200 messages per run")
    ap.add_argument("--sessions", default="1,10,50", help="comma-separated smtp-source -s values (default 1,10,50)")
    ap.add_argument("--size", type=int, default=3000, help="smtp-source -l: body bytes (default 3000)")
    ap.add_argument("--servers", default="moat,moat-nofilter,postfix",
                    help="which to run, comma-separated (default moat,moat-nofilter,postfix)")
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.sessions.split(",") if x.strip()]
    count = args.messages or (200 if args.quick else 2000)
    for tool in (SMTP_SOURCE, "/usr/sbin/postfix"):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"{tool} is missing: install the postfix package (make test-deps)")

    binary = os.path.realpath(BINARY)
    build = build_of(binary)
    # Every server's directory goes under one of our own, so a clean-up of other runs'
    # leftovers (rm -rf /tmp/moat-*) cannot pull a running server's spool away.
    tmp = Path(tempfile.mkdtemp(prefix="mx-bench-"))
    tmp.chmod(0o755)  # virtual(8) delivers as nobody, who must get through it
    tempfile.tempdir = str(tmp)
    disk = disk_of(tmp)
    print("moat MX benchmark")
    print(f"  machine : {machine_line()}; queues and Maildirs under {tmp} ({filesystem_of(tmp)} on {disk or '?'})")
    print(f"  binary  : {binary} ({build} build)")
    print(f"  load    : smtp-source -s N -m {count} -l {args.size}: a new connection per message, no pipelining,"
          f" {args.size} body bytes + 4 header lines, 1 recipient")
    print(f"  probe   : p50/p99 come from one extra session in this process (not smtp-source, which"
          f" reports none), pipelined MAIL+RCPT+DATA, latency MAIL -> 250 after DATA, a message every"
          f" >= {PROBE_INTERVAL * 1000:.0f} ms; its messages count in the e2e figures")
    print("  moat    : MX, durable queue (fsync before 250), content filter in the dialogue: libclamav"
          " (Rules/clamav), Rules/ spam rules, network tests and Bayes off; Maildir delivery,"
          " 20 deliveries at once; no TLS; log level info")
    print("  nofilter: the same with [mx] filter = false")
    print(f"  postfix : Postfix {postfix_version()}, private instance, virtual(8) Maildir delivery, no content"
          f" filter, in_flow_delay 0, no TLS, maillog_file")
    print(f"  e2e     : messages / (smtp-source start -> last one in the Maildir); drain = time after"
          f" smtp-source ended; {WARMUP} warm-up messages first", flush=True)
    if build != "release":
        print("  NOTE    : not a release build; numbers are not representative", flush=True)

    makers = {"moat": lambda: MoatServer(True), "moat-nofilter": lambda: MoatServer(False),
              "postfix": PostfixServer}
    rows = []
    for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
        rows += bench(makers[name](), levels, count, args.size, disk)
    shutil.rmtree(tmp, ignore_errors=True)  # kept, with the failed server's files, on failure

    print()
    print_rows(rows)
    print("(accepted/s = smtp-source messages / its wall time; e2e/s = all messages / time until all are"
          " in the Maildir; cpu = cores busy from start to the last delivery: srv = the server's"
          " processes, src = smtp-source, py = probe + Maildir polling, other = the rest of the machine; idle%/iow% = the whole"
          f" machine, {os.cpu_count()} cores; flush/msg = disk cache flushes per message (fsync))")
    print()
    print_ratios(rows, levels)
    print()
    print("every accepted message was delivered exactly once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
