"""A local SMTP server for the bench, in a process of its own (as a real server would be):
accepts every message and, when stopped (SIGTERM), prints how many it received.

python -m bench.smtp_sink PORT"""
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class CountingInbox:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        self.received += 1
        return "250 Message accepted for delivery"


def main(port):
    inbox, stopping = CountingInbox(), threading.Event()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    print("ready", flush=True)
    stopping.wait()
    controller.stop()
    print(inbox.received, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
