"""kombu's filesystem transport, with messages that appear in the queue folder only when complete.

The stock transport creates a message file and then writes into it; a consumer polling the
folder can move and read the file in between, get empty bytes, fail to decode them and stop
the worker ("Unrecoverable error: JSONDecodeError"), losing the message. Writing to a name
the consumer ignores and renaming it into place (atomic on one filesystem) closes that
window. ``register()`` (called by handgen_site.celery, so in every web and worker process)
makes it what ``filesystem://`` means, which keeps the broker URL and the worker banner as
they were; it is used only when no REDIS_URL is set.
"""

import os
import uuid
from time import monotonic

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

PARTIAL_SUFFIX = ".part"  # "<n>_<uuid>.<queue>.msg.part" never matches the consumer's "<queue>.msg"


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


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"
