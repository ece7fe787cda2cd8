import pytest

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


def test_a_declared_event_refuses_a_payload_of_another_type():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Probed:
        n: int

    calls = []
    events.declare(Probed, "probe.typed")
    events.subscribe("probe.typed", lambda **p: calls.append(p))
    events.publish("probe.typed", Probed(n=1))
    assert calls == [{"n": 1}]
    with pytest.raises(TypeError):
        events.publish("probe.typed", object())
