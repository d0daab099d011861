"""A published framework version: every unit's leader hears what changed, old and new."""

import pytest
from redis import Redis
from sqlalchemy import update

from services.assessment.models import Person
from services.notify.models import ErasedPerson
from shared.ids import person_digest
from shared.outbox import stream_fields
from tests.notify.mail import by_recipient, html, subject, text
from tests.notify.org import announce, publish_version

pytestmark = pytest.mark.slow  # each test starts notify's processes (Celery worker, consumer)


def test_every_leader_is_told_what_changed(
    stack, sink, content_url, token, redis_url, stream, assessment_sessions, notify_sessions
):
    with assessment_sessions() as session:
        session.execute(update(Person).where(Person.id == "sfo-leader").values(language="en"))
        session.commit()
    with notify_sessions() as session:
        # as a person.erased event leaves it
        session.add(ErasedPerson(digest=person_digest("director")))
        session.commit()
    previous, version = publish_version(content_url, token("hr-1", "hr_admin"))
    stack.start()
    event = announce(redis_url, stream, previous, version)
    redis = Redis.from_url(redis_url)
    redis.xadd(stream, stream_fields(event))  # the relay may publish an event twice
    redis.close()

    mails = by_recipient(sink.wait_for(2, timeout=30))
    assert sorted(mails) == ["leader@gentofte.test", "sfo-leader@gentofte.test"]
    danish = mails["leader@gentofte.test"]
    assert subject(danish) == f"Ledelsesgrundlaget er opdateret (version {version})"
    assert "Den enkelte leder" in text(danish)
    assert f"Hvad er mine styrker (v{version})?" in text(danish)
    assert "Før:" in text(danish) and "<ins>" in html(danish)
    english = mails["sfo-leader@gentofte.test"]
    assert subject(english) == f"The leadership framework has been updated (version {version})"
    assert "The individual leader" in text(english)
    assert f"What are my strengths (v{version})?" in text(english)
    assert "https://lederdialog.example/framework" in text(english)
    assert len(sink.settle()) == 2, "one email per leader; none to the erased director"
