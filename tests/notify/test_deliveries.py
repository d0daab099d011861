"""The delivery record's claims: of two claims on one key, only one is won."""

from services.notify import deliveries
from services.notify.deliveries import Claim
from services.notify.models import SENDING, SENT, Delivery


def fresh(key: str) -> Claim:
    return Claim(key=key, kind="summary", person_id="leader", message_id=f"<{key}@test>",
                 seen_attempts=None)


def test_a_key_is_won_once_and_then_only_by_the_attempt_seen(notify_sessions):
    with notify_sessions() as session:
        assert deliveries.claim(session, [fresh("k1"), fresh("k2")]) == {"k1", "k2"}
    with notify_sessions() as session:
        # A second copy of the job finds the keys taken.
        assert deliveries.claim(session, [fresh("k1"), fresh("k3")]) == {"k3"}
    with notify_sessions() as session:
        # A retry claims a key left "sending" from the attempt it saw, once.
        retry = Claim(**{**fresh("k2").__dict__, "seen_attempts": 1})
        assert deliveries.claim(session, [retry]) == {"k2"}
        assert deliveries.claim(session, [retry]) == set()
        deliveries.settle(session, sent=["k1"], dead=[])
    with notify_sessions() as session:
        rows = {row.key: (row.state, row.attempts) for row in session.query(Delivery)}
    assert rows == {"k1": (SENT, 1), "k2": (SENDING, 2), "k3": (SENDING, 1)}
