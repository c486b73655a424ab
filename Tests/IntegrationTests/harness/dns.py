"""A real dnsmasq on 127.0.0.1 and a free UDP port, serving test records.

Names under .moattest that are not defined answer NXDOMAIN. (Not .test: libunbound
answers RFC 6761 names itself.)
"""
import getpass
import socket
import subprocess
import time

DNSMASQ = "/usr/sbin/dnsmasq"


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DNSMasq:
    """`records`: dnsmasq options such as `--host-record=name,127.0.0.2`,
    `--txt-record=name,"text"`, `--mx-host=domain,host,10`."""

    def __init__(self, records):
        self.records = list(records)
        self.port = None
        self.proc = None

    @property
    def server(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        for _ in range(5):
            port = free_udp_port()
            proc = subprocess.Popen(
                [DNSMASQ, "--no-daemon", f"--port={port}", "--listen-address=127.0.0.1", "--bind-interfaces",
                 "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=", f"--user={getpass.getuser()}",
                 "--local=/moattest/", "--local-ttl=300", *self.records],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._answers(port, proc):
                self.port, self.proc = port, proc
                return self
            proc.kill()
            proc.wait(timeout=10)
        raise RuntimeError("dnsmasq did not start")

    @staticmethod
    def _answers(port, proc):
        query = bytes([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5]) + b"ready" + bytes([8]) + b"moattest" + bytes([0, 0, 1, 0, 1])
        deadline = time.monotonic() + 5
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    s.sendto(query, ("127.0.0.1", port))
                    s.recvfrom(512)
                    return True
                except OSError:
                    continue
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
