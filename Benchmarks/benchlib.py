"""Pieces the SMTP benchmarks share: a lean pipelining client, percentiles, CPU time from
/proc and the header lines that say what was measured."""
import os
import platform
import socket
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# The benchmarks start moat and Postfix with the integration tests' fixtures.
sys.path.insert(0, str(REPO / "Tests" / "IntegrationTests"))

TIMEOUT = 60  # seconds, per socket operation


def dot_stuff(data):
    """Wire form of a CRLF message for DATA: leading dots doubled, terminator appended."""
    if data.startswith(b"."):
        data = b"." + data
    return data.replace(b"\r\n.", b"\r\n..") + b".\r\n"


class SMTPError(Exception):
    pass


class RawClient:
    """Minimal ESMTP client over one socket, using PIPELINING for MAIL/RCPT/DATA."""

    def __init__(self, port, sender, recipient, helo="bench.example.test"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.expect(220)
        self.sock.sendall(f"EHLO {helo}\r\n".encode())
        lines = self.expect(250)
        if not any(l[4:].upper().startswith(b"PIPELINING") for l in lines):
            raise SMTPError("server does not offer PIPELINING")
        self.envelope = f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n".encode()

    def reply(self):
        """Read one (possibly multi-line) reply; return (code, [lines])."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise SMTPError("connection closed by server")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]), lines

    def expect(self, code):
        got, lines = self.reply()
        if got != code:
            raise SMTPError(f"expected {code}, got {b' / '.join(lines).decode(errors='replace')}")
        return lines

    def send(self, wire):
        """Send one message in wire form (see dot_stuff); returns when the server said 250."""
        self.sock.sendall(self.envelope)
        self.expect(250)  # MAIL
        self.expect(250)  # RCPT
        self.expect(354)  # DATA
        self.sock.sendall(wire)
        self.expect(250)  # end of data

    def close(self):
        try:
            self.sock.sendall(b"QUIT\r\n")
            self.reply()
        except (OSError, SMTPError):
            pass
        self.sock.close()


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]  # nearest-rank


def cpu_seconds(pid, children=False):
    """user+system CPU seconds of `pid` from /proc (None if unavailable); with
    children=True also that of its children it has already waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        if children:
            ticks += int(fields[13]) + int(fields[14])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def process_group(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def group_cpu(leader):
    """CPU seconds of a daemon that forks per session (Postfix's master, Dovecot): the
    leader with the children it has reaped (a process that exits takes its CPU time with
    it), plus every live process of its process group."""
    total = cpu_seconds(leader, children=True) or 0.0
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != leader and process_group(pid) == leader:
            total += cpu_seconds(pid) or 0.0
    return total


def machine_cpu():
    """(busy, idle, iowait) jiffies of all cores, from the first line of /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return sum(fields[:8]) - idle - iowait, idle, iowait


def filesystem_of(path):
    """Type of the filesystem `path` is on: the longest mount point above it."""
    path, best = os.path.realpath(path), ("", "?")
    for line in Path("/proc/mounts").read_text().splitlines():
        point, fstype = line.split()[1:3]
        if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) > len(best[0]):
            best = (point, fstype)
    return best[1]


def disk_of(path):
    """The block device (name in /proc/diskstats) that holds `path`, or None."""
    dev = os.stat(path).st_dev
    for line in Path("/proc/diskstats").read_text().splitlines():
        f = line.split()
        if (int(f[0]), int(f[1])) == (os.major(dev), os.minor(dev)):
            return f[2]
    return None


def disk_flushes(disk):
    """Cache flushes the disk completed (fsync on ext4 ends in one); None if not reported."""
    for line in Path("/proc/diskstats").read_text().splitlines():
        f = line.split()
        if f[2] == disk and len(f) >= 20:  # major minor name, then 17 counters (Linux >= 5.5)
            return int(f[18])
    return None


def self_cpu():
    t = os.times()
    return t.user + t.system


def build_of(binary):
    """release / debug / unknown, from the SwiftPM build directory the binary sits in."""
    return "release" if "/release/" in binary else "debug" if "/debug/" in binary else "unknown"


def machine_line():
    return f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"
