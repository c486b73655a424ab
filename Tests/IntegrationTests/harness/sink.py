"""A tiny SMTP sink: accepts mail on 127.0.0.1 and keeps (or just counts) it.

Used as a fake re-injection target or fake content filter in tests, and as the
receiving end of benchmarks. Its DATA reply is settable, e.g. 451 to check that
moat tempfails when its re-injection fails. Stdlib only, so it also runs as a
script:  python3 sink.py [--port 0] [--data-code 451] [--store]
which prints the bound port on stdout and, on SIGINT/SIGTERM, the count on stderr.

In-process:  with Sink() as sink: ... sink.port ... sink.wait_for(1)
(the server runs on its own event loop in a daemon thread).
"""
import argparse
import asyncio
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field

EHLO_LINES = ("sink.example.test", "PIPELINING", "8BITMIME", "SMTPUTF8", "SIZE 0")
ADDRESS = re.compile(r"<([^>]*)>")


@dataclass
class Message:
    helo: str
    mail_from: str
    rcpt_tos: list
    data: bytes = b""
    mail_options: list = field(default_factory=list)


class Sink:
    """SMTP server. `data_reply` (code, text) is read per message, so tests can change it."""

    def __init__(self, host="127.0.0.1", port=0, *, store=True, data_reply=(250, "2.0.0 Ok: queued")):
        self.host, self.port = host, port
        self.store = store
        self.data_reply = data_reply
        self.messages = []      # accepted Messages (only when store=True)
        self.accepted = 0
        self.rejected = 0
        self._cond = threading.Condition()
        self._writers = set()
        self._server = self._loop = self._thread = None

    # ---- asyncio side ------------------------------------------------------
    async def open(self):
        """Bind and listen on the current loop; sets self.port."""
        self._server = await asyncio.start_server(self._session, self.host, self.port, limit=1 << 20)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def close_server(self):
        self._server.close()
        for w in list(self._writers):
            w.close()

    async def _session(self, reader, writer):
        self._writers.add(writer)

        def reply(code, *lines):
            lines = lines or ("Ok",)
            writer.write("".join(f"{code}{'-' if i < len(lines) - 1 else ' '}{l}\r\n"
                                 for i, l in enumerate(lines)).encode())

        helo, msg = "", None
        try:
            reply(220, "sink.example.test ESMTP")
            while True:
                await writer.drain()
                line = await reader.readline()
                if not line:
                    break
                verb, _, arg = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
                verb = verb.upper()
                if verb in ("EHLO", "HELO"):
                    helo, msg = arg, None
                    reply(250, *(EHLO_LINES if verb == "EHLO" else EHLO_LINES[:1]))
                elif verb == "MAIL" and arg.upper().startswith("FROM:") and ADDRESS.search(arg):
                    m = ADDRESS.search(arg)
                    msg = Message(helo, m.group(1), [], mail_options=arg[m.end():].split())
                    reply(250, "2.1.0 Ok")
                elif verb == "RCPT" and arg.upper().startswith("TO:") and ADDRESS.search(arg):
                    if msg is None:
                        reply(503, "5.5.1 Error: need MAIL command")
                    else:
                        msg.rcpt_tos.append(ADDRESS.search(arg).group(1))
                        reply(250, "2.1.5 Ok")
                elif verb == "DATA":
                    if msg is None or not msg.rcpt_tos:
                        reply(503, "5.5.1 Error: need RCPT command")
                        continue
                    reply(354, "End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    msg.data = await self._read_data(reader)
                    self._finish(msg, reply)
                    msg = None
                elif verb == "RSET":
                    msg = None
                    reply(250, "2.0.0 Ok")
                elif verb == "NOOP":
                    reply(250, "2.0.0 Ok")
                elif verb == "QUIT":
                    reply(221, "2.0.0 Bye")
                    await writer.drain()
                    break
                elif verb in ("MAIL", "RCPT"):
                    reply(501, "5.5.4 Syntax error")
                else:
                    reply(502, "5.5.2 Error: command not recognized")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _read_data(self, reader):
        lines = []
        while True:
            line = await reader.readline()
            if not line:
                raise asyncio.IncompleteReadError(b"", None)
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b".") else line)

    def _finish(self, msg, reply):
        code, text = self.data_reply
        with self._cond:
            if 200 <= code < 300:
                self.accepted += 1
                if self.store:
                    self.messages.append(msg)
            else:
                self.rejected += 1
            self._cond.notify_all()
        reply(code, text)

    # ---- thread side -------------------------------------------------------
    def start(self):
        """Run the server on a private event loop in a daemon thread."""
        ready, error = threading.Event(), []

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self.open())
            except BaseException as e:  # hand bind errors to the caller
                error.append(e)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self.close_server()
            pending = asyncio.all_tasks(self._loop)
            for t in pending:
                t.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

        self._thread = threading.Thread(target=run, name="smtp-sink", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise TimeoutError("sink did not start")
        if error:
            raise error[0]
        return self

    def stop(self):
        if self._thread and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_for(self, count, timeout=30):
        """Block until `count` messages were accepted; return the stored ones."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.accepted >= count, timeout):
                raise AssertionError(f"sink: {self.accepted} of {count} messages after {timeout}s")
            return list(self.messages)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--data-code", type=int, default=250, help="reply code to DATA (e.g. 451)")
    ap.add_argument("--store", action="store_true", help="keep messages in memory (default: count only)")
    args = ap.parse_args(argv)
    text = "2.0.0 Ok: queued" if args.data_code < 300 else f"{args.data_code // 100}.0.0 sink says no"
    sink = Sink(args.host, args.port, store=args.store, data_reply=(args.data_code, text))

    async def serve():
        await sink.open()
        print(sink.port, flush=True)
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        started = time.monotonic()
        await stop.wait()
        sink.close_server()
        secs = time.monotonic() - started
        print(f"accepted={sink.accepted} rejected={sink.rejected} seconds={secs:.1f}", file=sys.stderr)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
