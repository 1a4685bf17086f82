"""kombu's filesystem transport, with whole messages and consumers woken when one arrives.

Whole messages: the stock transport creates a message file and then writes into it; a
consumer polling the folder can move and read the file in between, get empty bytes, fail
to decode them and stop the worker ("Unrecoverable error: JSONDecodeError"), losing the
message. Writing to a name the consumer ignores and renaming it into place (atomic on one
filesystem) closes that window.

Woken consumers: the stock consumer sleeps ``polling_interval`` between looks at the
folder, so a message waits half an interval on average before a worker sees it, on the
path a user waits on for a generation. Here each consuming process binds a Unix datagram
socket in ``<queue folder>.wake/`` and waits on it instead of sleeping; a producer that
has renamed a message into place sends one byte to every socket there. A byte sent after
the consumer's last look stays queued on its socket, so no message is missed between a
look and the wait; the interval still bounds the wait, so a lost or refused poke (full
socket buffer, a path too long to bind) only costs the polling delay. A socket left by a
killed consumer refuses the poke and is removed by the producer.

``register()`` (called by handgen_site.celery, so in every web and worker process) makes
this what ``filesystem://`` means, which keeps the broker URL and the worker banner as
they were; it is used only when no REDIS_URL is set.
"""

import contextlib
import os
import select
import socket
import uuid
from time import monotonic, sleep

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.transport.virtual import Empty
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

PARTIAL_SUFFIX = ".part"  # "<n>_<uuid>.<queue>.msg.part" never matches the consumer's "<queue>.msg"
WAKE_SUFFIX = ".wake"  # sibling folder of the queue folder holding the consumers' sockets
SOCKET_SUFFIX = ".sock"


def wake_folder(queue_folder: str) -> str:
    return os.path.normpath(queue_folder) + WAKE_SUFFIX


def poke(queue_folder: str) -> int:
    """Wake every consumer waiting on ``queue_folder``; return how many sockets took the byte."""
    folder = wake_folder(queue_folder)
    try:
        names = [n for n in os.listdir(folder) if n.endswith(SOCKET_SUFFIX)]
    except OSError:  # no consumer has waited here yet
        return 0
    woken = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for name in names:
            path = os.path.join(folder, name)
            try:
                sender.sendto(b"!", path)
                woken += 1
            except (ConnectionRefusedError, FileNotFoundError):  # its process is gone
                with contextlib.suppress(OSError):
                    os.unlink(path)
            except OSError:  # buffer full (a wake is already pending there) or anything else: it polls
                pass
    return woken


class Waker:
    """A consumer's wake-up socket; falls back to plain sleeping when it cannot be bound."""

    def __init__(self, queue_folder: str):
        self.pid = os.getpid()
        self.path = None
        self.sock = None
        folder = wake_folder(queue_folder)
        path = os.path.join(folder, f"{self.pid}-{uuid.uuid4().hex[:12]}{SOCKET_SUFFIX}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            os.makedirs(folder, exist_ok=True)
            sock.bind(path)  # OSError when the path is over the ~107-byte limit
        except OSError:
            sock.close()
            return
        sock.setblocking(False)
        self.sock, self.path = sock, path

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, less when a producer pokes (or poked since the last wait)."""
        if self.sock is None:
            sleep(seconds)
            return
        ready, _, _ = select.select([self.sock], [], [], seconds)
        if ready:
            with contextlib.suppress(OSError):
                while self.sock.recv(64):
                    pass

    def close(self) -> None:
        if self.sock is None:
            return
        if os.getpid() == self.pid:  # a forked pool child must not remove its parent's socket
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        self.sock.close()
        self.sock = None


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc
        poke(self.data_folder_out)


class Transport(filesystem.Transport):
    Channel = Channel

    def __init__(self, client, **kwargs):
        super().__init__(client, **kwargs)
        self._queue_folder = client.transport_options.get("data_folder_in", "data_in")
        self._waker = None

    def drain_events(self, connection, timeout=None):
        """The stock loop (look, else wait ``polling_interval``, up to ``timeout``), waiting on the waker."""
        started = monotonic()
        while True:
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                pass
            wait = self.polling_interval
            if timeout is not None:
                left = timeout - (monotonic() - started)
                if left <= 0:
                    raise TimeoutError()  # socket.timeout, as the stock loop raises
                wait = left if wait is None else min(wait, left)
            if wait is None:  # as the stock loop: no interval means look again at once
                continue
            if self._waker is None or self._waker.pid != os.getpid():
                self._waker = Waker(self._queue_folder)
            self._waker.wait(wait)

    def close_connection(self, connection):
        if self._waker is not None:
            self._waker.close()
            self._waker = None
        super().close_connection(connection)


def register() -> None:
    TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"
