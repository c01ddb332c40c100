"""A real SMTP server for the tests (Debian python3-aiosmtpd), recording every
message it accepts; it can be stopped and started again on the same port,
told to refuse mails with a given reply, and made slow (`delay` seconds before
it answers the end of DATA: the client is then mid-transaction). A transaction
whose client goes away before the answer is not recorded: aiosmtpd cancels the
handler, as a real MTA would not accept the mail."""
import asyncio
import socket
import time

from aiosmtpd.controller import Controller


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Recorder:
    def __init__(self, server):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.reply is not None:
            return self.server.reply
        if self.server.delay:
            self.server.started.append(time.time())
            await asyncio.sleep(self.server.delay)
            if smtp.transport is None or smtp.transport.is_closing():
                return "421 4.4.2 client gone"
        envelope.accepted_at = time.time()
        self.server.messages.append(envelope)
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.port = _free_port()
        self.messages = []  # aiosmtpd envelopes: mail_from, rcpt_tos, content (bytes)
        self.reply = None   # e.g. "550 5.1.1 no such user" to refuse
        self.delay = 0      # seconds before the answer to DATA
        self.started = []   # when each delayed DATA began
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(_Recorder(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count, timeout=20):
        """Waits until at least count messages arrived; returns them."""
        deadline = time.time() + timeout
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.1)
        return list(self.messages)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
