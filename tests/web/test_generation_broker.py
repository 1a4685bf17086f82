"""The filesystem broker never shows a consumer a half-written message (handgen_site/broker.py)."""

import os
import uuid

import pytest
from kombu import Connection

from handgen_site import broker


def fresh_queue_name() -> str:
    """kombu remembers declared queues process-wide, and each test has its own control folder:
    a name no earlier test (or worker in this process) declared gets its binding written there."""
    return f"generate-{uuid.uuid4().hex[:8]}"


def test_messages_appear_whole_and_round_trip(tmp_path, monkeypatch):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False,
               "control_folder": str(tmp_path / "control")}  # fmt: skip
    seen_at_rename = []
    real_replace = os.replace

    def replace(source, target):
        # at the moment the message gets its queue name, its bytes are already all there
        seen_at_rename.append((os.listdir(folder), os.path.getsize(source)))
        real_replace(source, target)

    monkeypatch.setattr(broker.os, "replace", replace)
    with Connection("filesystem://localhost//", transport=broker.Transport, transport_options=options) as conn:
        name = fresh_queue_name()
        queue = conn.SimpleQueue(name)
        queue.put({"generation_id": "abc"})
        (names, size), = seen_at_rename
        assert names == [n for n in names if n.endswith(f".{name}.msg.part")] and size > 20
        assert [n for n in os.listdir(folder) if n.endswith(".msg")]  # now visible, complete
        message = queue.get(timeout=1)
        assert message.payload == {"generation_id": "abc"}
        message.ack()
        queue.close()
    assert not [n for n in os.listdir(folder) if n.endswith(".msg")]


def test_the_site_uses_it_without_redis(settings):
    from handgen_site.celery import app

    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        with app.connection_for_write() as conn:
            assert isinstance(conn.transport, broker.Transport)


def _options(folder, polling_interval):
    return {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False,
            "control_folder": str(folder.parent / "control"), "polling_interval": polling_interval}  # fmt: skip


def test_a_waiting_consumer_is_woken_by_a_put_long_before_its_polling_interval(tmp_path):
    import threading
    import time

    folder = tmp_path / "queue"
    folder.mkdir()
    got = []
    with Connection("filesystem://localhost//", transport=broker.Transport,
                    transport_options=_options(folder, 30.0)) as conn:  # fmt: skip
        name = fresh_queue_name()
        queue = conn.SimpleQueue(name)
        consumer = threading.Thread(target=lambda: got.append((queue.get(timeout=20), time.monotonic())))
        consumer.start()
        deadline = time.monotonic() + 10
        while not list((tmp_path / "queue.wake").glob("*.sock")) and time.monotonic() < deadline:
            time.sleep(0.01)  # the consumer looked once, found nothing, and now waits on its socket
        assert list((tmp_path / "queue.wake").glob("*.sock"))
        time.sleep(0.05)
        with Connection("filesystem://localhost//", transport=broker.Transport,
                        transport_options=_options(folder, 30.0)) as producer:  # fmt: skip
            sent = time.monotonic()
            producer.SimpleQueue(name).put({"n": 1})
        consumer.join(timeout=20)
        (message, received), = got
        assert message.payload == {"n": 1}
        assert received - sent < 5.0  # a 30 s poll would still be asleep
        message.ack()
        queue.close()
    assert not list((tmp_path / "queue.wake").glob("*.sock"))  # closing the connection removed it


def test_a_socket_left_by_a_dead_consumer_is_removed_and_the_put_still_succeeds(tmp_path):
    import socket

    folder = tmp_path / "queue"
    folder.mkdir()
    wake = tmp_path / "queue.wake"
    wake.mkdir()
    stale = wake / "12345-dead.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(stale))  # closed without unlinking: what a SIGKILL leaves
    assert stale.exists()
    with Connection("filesystem://localhost//", transport=broker.Transport,
                    transport_options=_options(folder, 0.01)) as conn:  # fmt: skip
        queue = conn.SimpleQueue(fresh_queue_name())
        queue.put({"n": 2})
        assert not stale.exists()
        message = queue.get(timeout=5)
        assert message.payload == {"n": 2}
        message.ack()
        queue.close()


def test_a_consumer_times_out_when_nothing_arrives(tmp_path):
    import time

    folder = tmp_path / "queue"
    folder.mkdir()
    with Connection("filesystem://localhost//", transport=broker.Transport,
                    transport_options=_options(folder, 5.0)) as conn:  # fmt: skip
        queue = conn.SimpleQueue(fresh_queue_name())
        began = time.monotonic()
        with pytest.raises(queue.Empty):
            queue.get(timeout=0.3)
        assert 0.25 < time.monotonic() - began < 3.0  # the timeout, not the 5 s interval
        queue.close()
