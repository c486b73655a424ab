#!/usr/bin/env python3
"""IMAP benchmark: Moat's IMAP server against Debian's Dovecot 2.3, in one run, on this machine.

    MOAT_BINARY=.build/release/moat python3 Benchmarks/imap_bench.py [--quick] [--clients N] [--seconds S]

Each server in turn (fresh, in its own temporary directory, loopback ports picked at run
time, test users with passwords made up for the run) gets:
  1. load: N client processes (default 10), one user each, loop whole sessions for S
     seconds (default 20) with imaptest's default command mix (see imap_load.py): ops/s
     per command and in all, mean latency, errors (NO/BAD/BYE/disconnect, printed);
  2. LOGIN/LOGOUT rate: the same N processes connect, LOGIN, LOGOUT, close;
  3. a 10,000-message INBOX (the same Maildir files for both, written before timing):
     SELECT INBOX then FETCH 1:* (FLAGS), cold (the Maildir as written, no index, server
     just started: the index is built by that SELECT) and warm (opened again), medians.
Then one table with both servers and the ratio moat/dovecot. The client's CPU is printed
beside the servers' so a client-bound run shows as one.
"""
import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import build_of, disk_flushes, disk_of, filesystem_of, machine_cpu, machine_line
from harness.moat import BINARY  # noqa: E402
from imap_corpus import corpus_messages, crlf, link_maildir, write_maildir
from imap_load import COMMANDS, MESSAGE_THRESHOLD, ClientResult, client_main, login_main, run_clients
from imap_servers import DovecotIMAP, MoatIMAP, dovecot_service_settings, dovecot_version
from imap_wire import IMAPConnection, IMAPFailure

DOMAIN = "example.com"
BIG_USER = f"big@{DOMAIN}"
WARM_AFTER = 2.0  # seconds between the last cold open and the first warm one


@dataclass
class Phase:
    """A timed phase's client results with the CPU the server, the clients and the whole
    machine used during it."""
    result: ClientResult
    wall: float
    server_cpu: float
    machine_busy: float  # cores
    idle: float  # percent of all cores
    flushes: int  # disk cache flushes (an fsync on ext4 ends in one); None if not reported

    @property
    def client_cores(self):
        return self.result.cpu / self.wall

    @property
    def server_cores(self):
        return self.server_cpu / self.wall


@dataclass
class ServerFigures:
    name: str
    load: Phase = None
    logins: Phase = None
    cold: list = field(default_factory=list)  # (select ms, fetch ms)
    warm: list = field(default_factory=list)


def measured(server, disk, run):
    """Runs `run()` and returns it as a Phase with the CPU and disk flushes around it."""
    cpu0, m0, f0, t0 = server.cpu(), machine_cpu(), disk_flushes(disk) if disk else None, time.perf_counter()
    result = run()
    t1, m1, cpu1 = time.perf_counter(), machine_cpu(), server.cpu()
    f1 = disk_flushes(disk) if disk else None
    busy, idle, iowait = (b - a for a, b in zip(m0, m1))
    jiffies = busy + idle + iowait
    wall = t1 - t0
    return Phase(result, wall, cpu1 - cpu0, os.cpu_count() * busy / jiffies, 100 * idle / jiffies,
                 f1 - f0 if f0 is not None else None)


def warm_up(server, accounts):
    """One session per user before timing: first logins create the special folders and
    indexes of both servers."""
    for user, password in accounts:
        conn = IMAPConnection(server.port)
        conn.login(user, password)
        conn.command(b"SELECT INBOX")
        conn.logout()


def select_and_fetch(server, password, expected):
    """(SELECT ms, FETCH 1:* (FLAGS) ms) on the big INBOX; login is not timed."""
    conn = IMAPConnection(server.port, timeout=300)
    conn.login(BIG_USER, password)
    t0 = time.perf_counter()
    selected = conn.command(b"SELECT INBOX")
    t1 = time.perf_counter()
    fetched = conn.command(b"FETCH 1:* (FLAGS)")
    t2 = time.perf_counter()
    conn.logout()
    exists = selected.counts(b"EXISTS")
    flags = sum(1 for line in fetched.untagged if b" FETCH " in line)
    if exists[-1:] != [expected] or flags != expected:
        raise SystemExit(f"{server.name}: SELECT said {exists} EXISTS and FETCH gave {flags} messages,"
                         f" {expected} expected")
    return (t1 - t0) * 1e3, (t2 - t1) * 1e3


def bench(server, args, accounts, big_password, pristine_small, pristine_big, messages, disk):
    figures = ServerFigures(server.name)
    for user, _ in accounts:
        link_maildir(pristine_small, server.inbox(user))
    link_maildir(pristine_big, server.inbox(BIG_USER))
    server.start()
    warm_up(server, accounts)
    print(f"  ... {server.name}: load, {args.clients} clients for {args.seconds} s", flush=True)
    wires = [crlf(m) for m in messages[:200]]
    start_at = time.time() + 0.5
    jobs = [(i, server.port, user, password, wires, start_at, args.seconds, 1000 + i)
            for i, (user, password) in enumerate(accounts)]
    figures.load = measured(server, disk, lambda: run_clients(client_main, jobs))
    print(f"  ... {server.name}: LOGIN/LOGOUT, {args.clients} clients for {args.login_seconds} s", flush=True)
    start_at = time.time() + 0.5
    jobs = [(i, server.port, user, password, start_at, args.login_seconds) for i, (user, password) in enumerate(accounts)]
    figures.logins = measured(server, disk, lambda: run_clients(login_main, jobs))
    print(f"  ... {server.name}: {args.messages} messages, {args.cold_runs} cold and {args.warm_runs} warm opens",
          flush=True)
    for run in range(args.cold_runs):
        server.stop()
        link_maildir(pristine_big, server.inbox(BIG_USER))  # as written: no index, no renamed files
        server.start()
        figures.cold.append(select_and_fetch(server, big_password, args.messages))
    # Settled: a Maildir whose cur/ changed in the last second (the cold open's renames) is
    # rescanned on open, since an mtime in the current clock tick proves nothing.
    time.sleep(WARM_AFTER)
    for run in range(args.warm_runs):
        figures.warm.append(select_and_fetch(server, big_password, args.messages))
    return figures


# ---- report ---------------------------------------------------------------------------
def ratio(moat, dovecot):
    return f"{moat / dovecot:.2f}x" if moat is not None and dovecot else "-"


def row(label, values, fmt, better, compare=True):
    """One line: the figure per server (moat first), then moat/dovecot."""
    cells = [fmt.format(v) if v is not None else "-" for v in values]
    r = ratio(values[0], values[1]) if len(values) == 2 and compare else ""
    print(f"{label:<34} " + " ".join(f"{c:>12}" for c in cells) + f" {r:>9}  {better}")


def print_table(all_figures, args):
    names = [f.name for f in all_figures]
    print(f"{'':<34} " + " ".join(f"{n:>12}" for n in names) + f" {'moat/dovc' if len(names) == 2 else '':>9}")
    print(f"load: {args.clients} clients x {args.seconds} s, ops/s (mean ms)")
    for command in COMMANDS:
        rates = [f.load.result.ops[command] / args.seconds for f in all_figures]
        lat = [f.load.result.seconds[command] / max(1, f.load.result.ops[command]) * 1e3 for f in all_figures]
        row(f"  {command}", rates, "{:.1f}", "higher is better")
        row("    mean latency ms", lat, "{:.2f}", "lower is better")
    row("  all commands", [sum(f.load.result.ops.values()) / args.seconds for f in all_figures], "{:.1f}",
        "higher is better")
    row("  whole sessions", [f.load.result.sessions / args.seconds for f in all_figures], "{:.1f}", "higher is better")
    row("  errors", [sum(f.load.result.errors.values()) for f in all_figures], "{}", "must be 0", compare=False)
    row("  server CPU, cores", [f.load.server_cores for f in all_figures], "{:.2f}", "")
    row("  client CPU, cores", [f.load.client_cores for f in all_figures], "{:.2f}", "")
    row("  machine idle %", [f.load.idle for f in all_figures], "{:.1f}", f"of {os.cpu_count()} cores",
        compare=False)
    row("  server CPU ms per command",
        [f.load.server_cpu * 1e3 / max(1, sum(f.load.result.ops.values())) for f in all_figures], "{:.3f}",
        "lower is better")
    row("  disk flushes per session", [f.load.flushes / max(1, f.load.result.sessions)
                                       if f.load.flushes is not None else None for f in all_figures], "{:.2f}",
        "whole disk: others count too")
    print(f"LOGIN/LOGOUT: {args.clients} clients x {args.login_seconds} s (connect, LOGIN, LOGOUT, close)")
    row("  logins/s", [f.logins.result.ops["LOGIN+LOGOUT"] / args.login_seconds for f in all_figures], "{:.1f}",
        "higher is better")
    row("  mean ms", [f.logins.result.seconds["LOGIN+LOGOUT"] / max(1, f.logins.result.ops["LOGIN+LOGOUT"]) * 1e3
                      for f in all_figures], "{:.2f}", "lower is better")
    row("  errors", [sum(f.logins.result.errors.values()) for f in all_figures], "{}", "must be 0", compare=False)
    row("  server CPU, cores", [f.logins.server_cores for f in all_figures], "{:.2f}", "")
    row("  client CPU, cores", [f.logins.client_cores for f in all_figures], "{:.2f}", "")
    row("  machine idle %", [f.logins.idle for f in all_figures], "{:.1f}", f"of {os.cpu_count()} cores",
        compare=False)
    print(f"{args.messages:,}-message INBOX: SELECT, then FETCH 1:* (FLAGS); median ms "
          f"(cold: {args.cold_runs} runs, warm: {args.warm_runs}, from {WARM_AFTER:.0f} s after the last cold one)")
    for label, pick in (("cold", lambda f: f.cold), ("warm", lambda f: f.warm)):
        row(f"  {label} SELECT", [statistics.median(s for s, _ in pick(f)) for f in all_figures], "{:.1f}",
            "lower is better")
        row(f"  {label} FETCH 1:* (FLAGS)", [statistics.median(t for _, t in pick(f)) for f in all_figures],
            "{:.1f}", "lower is better")
        row(f"  {label} SELECT + FETCH", [statistics.median(s + t for s, t in pick(f)) for f in all_figures],
            "{:.1f}", "lower is better")
    for f in all_figures:
        for label, runs in (("cold", f.cold), ("warm", f.warm)):
            print(f"  {f.name} {label} runs, SELECT + FETCH ms: " + ", ".join(f"{s:.0f} + {t:.0f}" for s, t in runs))


def print_errors(all_figures):
    """Every error, loudly: a benchmark with errors measured something else."""
    failed = False
    for f in all_figures:
        for phase_name, phase in (("load", f.load), ("LOGIN/LOGOUT", f.logins)):
            if phase.result.errors:
                failed = True
                print(f"!!! {f.name} {phase_name}: {sum(phase.result.errors.values())} ERRORS")
                for (command, kind), n in sorted(phase.result.errors.items()):
                    print(f"!!!   {command} {kind}: {n}")
                for sample in phase.result.samples:
                    print(f"!!!   e.g. {sample}")
    return failed


def client_bound(all_figures):
    """Warn when the client processes, not the server, may have set the pace: the machine
    had no idle CPU left and the clients used more of it than the server."""
    for f in all_figures:
        for phase_name, phase in (("load", f.load), ("LOGIN/LOGOUT", f.logins)):
            if phase.idle < 5 and phase.client_cores > phase.server_cores:
                print(f"NOTE: {f.name} {phase_name}: the machine was busy ({phase.idle:.0f}% idle) and the client used"
                      f" {phase.client_cores:.2f} cores against the server's {phase.server_cores:.2f}: the rate may be"
                      f" the client's limit, not the server's")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=10, help="concurrent client processes, one user each (10)")
    ap.add_argument("--seconds", type=float, default=20, help="length of the load phase (20)")
    ap.add_argument("--login-seconds", type=float, default=10, help="length of the LOGIN/LOGOUT phase (10)")
    ap.add_argument("--messages", type=int, default=10000, help="messages in the big INBOX (10000)")
    ap.add_argument("--cold-runs", type=int, default=3, help="cold opens of the big INBOX (3)")
    ap.add_argument("--warm-runs", type=int, default=5, help="warm opens of the big INBOX (5)")
    ap.add_argument("--quick", action="store_true", help="5 s phases, 2,000 messages, 2 cold and 3 warm runs")
    ap.add_argument("--servers", default="moat,dovecot", help="which to run, comma-separated (moat,dovecot)")
    ap.add_argument("--keep", action="store_true", help="keep the servers' directories")
    args = ap.parse_args(argv)
    if args.quick:
        args.seconds, args.login_seconds, args.messages, args.cold_runs, args.warm_runs = 5, 5, 2000, 2, 3

    binary = os.path.realpath(BINARY)
    build = build_of(binary)
    tmp = Path(tempfile.mkdtemp(prefix="imap-bench-"))
    tmp.chmod(0o755)  # Dovecot runs as nobody and reads the linked files through it
    tempfile.tempdir = str(tmp)
    disk = disk_of(tmp)
    messages = corpus_messages()
    pristine_small = write_maildir(tmp / "pristine-small", messages, MESSAGE_THRESHOLD)
    pristine_big = write_maildir(tmp / "pristine-big", messages, args.messages)
    accounts = [(f"bench{i:02d}@{DOMAIN}", secrets.token_urlsafe(12)) for i in range(1, args.clients + 1)]
    big_password = secrets.token_urlsafe(12)

    print("IMAP benchmark: moat vs dovecot")
    print(f"  machine : {machine_line()}; Maildirs under {tmp} ({filesystem_of(tmp)} on {disk or '?'})")
    print(f"  binary  : {binary} ({build} build)")
    print(f"  dovecot : {dovecot_version()}, private instance, passwd-file users (SHA512-CRYPT), Maildir,"
          " Dovecot's default services (a new imap-login and imap process per session)")
    print(f"  mail    : {len(messages)} corpus messages, LF Maildir files with S= and W= in their names;"
          f" each user's INBOX starts with {MESSAGE_THRESHOLD}")
    print(f"  load    : imaptest's default mix, no pipelining, one user per client process, every command"
          f" timed from send to tagged OK; errors = NO/BAD/BYE/disconnect", flush=True)
    if build != "release":
        print("  NOTE    : not a release build; numbers are not representative", flush=True)

    makers = {"moat": MoatIMAP, "dovecot": DovecotIMAP}
    all_figures = []
    for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
        server = makers[name](accounts + [(BIG_USER, big_password)], args.clients)
        failed = True
        try:
            all_figures.append(bench(server, args, accounts, big_password, pristine_small, pristine_big, messages,
                                     disk))
            if name == "dovecot":
                print(f"  dovecot settings: {dovecot_service_settings(server)}")
            failed = False
        except (IMAPFailure, OSError) as error:
            raise SystemExit(f"{name}: {error}")
        finally:
            server.close(keep=failed or args.keep)
    shutil.rmtree(tmp, ignore_errors=True)

    print()
    print_table(all_figures, args)
    print()
    client_bound(all_figures)
    if print_errors(all_figures):
        print("!!! THE BENCHMARK HAD ERRORS: its figures are not comparable")
        return 1
    print("no errors: every command of every session got its tagged OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
