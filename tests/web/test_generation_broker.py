"""The filesystem broker never shows a consumer a half-written message (handgen_site/broker.py)."""

import os

from kombu import Connection

from handgen_site import broker


def test_messages_appear_whole_and_round_trip(tmp_path, monkeypatch):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    seen_at_rename = []
    real_replace = os.replace

    def replace(source, target):
        # at the moment the message gets its queue name, its bytes are already all there
        seen_at_rename.append((os.listdir(folder), os.path.getsize(source)))
        real_replace(source, target)

    monkeypatch.setattr(broker.os, "replace", replace)
    with Connection("filesystem://localhost//", transport=broker.Transport, transport_options=options) as conn:
        queue = conn.SimpleQueue("generate")
        queue.put({"generation_id": "abc"})
        (names, size), = seen_at_rename
        assert names == [n for n in names if n.endswith(".generate.msg.part")] and size > 20
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
