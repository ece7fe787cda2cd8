from app.common import events


def test_subscribers_receive_the_payload_in_order():
    calls = []
    events.subscribe("probe.happened", lambda **p: calls.append(("a", p)))
    events.subscribe("probe.happened", lambda **p: calls.append(("b", p)))
    events.publish("probe.happened", dossier_id="d-1")
    assert calls == [("a", {"dossier_id": "d-1"}), ("b", {"dossier_id": "d-1"})]


def test_publishing_an_event_nobody_listens_to_is_fine():
    events.publish("probe.unheard", x=1)


def test_subscribing_the_same_handler_twice_calls_it_once():
    calls = []

    def handler(**payload):
        calls.append(payload)

    events.subscribe("probe.once", handler)
    events.subscribe("probe.once", handler)
    events.publish("probe.once")
    assert calls == [{}]
