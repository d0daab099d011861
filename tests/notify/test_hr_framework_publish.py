"""End to end: an HR admin drafts, edits and publishes a framework version through the web's
pages, and every unit's leader gets the notice, in their own language, with the changed text.

Real all the way: the web on the real content and assessment services, the content
service's outbox relayed onto the test's stream, notify's consumer and Celery worker, and a
real SMTP server."""

from __future__ import annotations

import pytest
from redis import Redis

from services.content import service as content_service
from services.content.app import MIGRATIONS as CONTENT_MIGRATIONS
from services.content.app import create_app as create_content_app
from services.content.models import Outbox
from services.web.app import create_app as create_web_app
from services.web.settings import load_web_settings
from shared.config import load_settings
from shared.migrations import upgrade
from shared.outbox import OutboxRelay
from tests.notify.mail import by_recipient, subject, text
from tests.support.servers import serving
from tests.web.conftest import sign_in
from tests.web.html_forms import form_fields

pytestmark = pytest.mark.slow  # starts notify's processes (Celery worker, consumer)

SECTION = "settings.individual_leader"
QUESTION = f"{SECTION}.questions.individual_strengths.text"


@pytest.fixture
def content_relay(tmp_path, redis_url, stream, jwt_settings):
    """A content service of this test's own, holding version 1, whose outbox goes onto the
    test's stream when the test relays it: (its URL, the relay)."""
    database_url = f"sqlite:///{tmp_path / 'content.db'}"
    upgrade(CONTENT_MIGRATIONS, database_url)
    app = create_content_app(load_settings(
        "content", environ={}, database_url=database_url, redis_url=redis_url,
        event_stream=stream, jwt=jwt_settings, rate_limits=None,
    ))
    sessions = app.extensions["lederdialog.deps"].session_factory
    with sessions() as session:
        content_service.seed_if_empty(session)
    redis = Redis.from_url(redis_url)
    relay = OutboxRelay(session_factory=sessions, model=Outbox, redis=redis, stream=stream,
                        service="content")
    with serving(app) as url:
        yield url, relay
    redis.close()
    app.extensions["lederdialog.deps"].close()


@pytest.fixture
def content_url(content_relay) -> str:
    """The content service notify's worker and the web ask: this test's own."""
    return content_relay[0]


@pytest.fixture
def web(redis_url, jwt_settings, content_url, assessment):
    """The web's pages on the same content and assessment services notify asks."""
    app = create_web_app(load_web_settings(
        {"WEB_DEV_SIGN_IN": "true"}, redis_url=redis_url, jwt=jwt_settings,
        content_url=content_url, assessment_url=assessment.url, rate_limits=None,
    ))
    return app.test_client()


def test_the_leaders_get_the_notice_of_a_version_hr_published_on_the_pages(
        stack, sink, web, content_relay):
    stack.start()
    sign_in(web, "hr-1")
    listing = web.get("/hr/framework").get_data(as_text=True)
    started = web.post("/hr/framework/drafts", data=form_fields(listing, "start-draft"))
    assert started.status_code == 303
    draft = started.headers["Location"].split("/versions/")[1].split("?")[0]
    section = f"/hr/framework/versions/{draft}/sections/{SECTION}"
    saved = web.post(section, data={
        **form_fields(web.get(section).get_data(as_text=True), "texts"),
        f"da-{QUESTION}": "Hvad er mine største styrker?",
        f"en-{QUESTION}": "What are my greatest strengths?",
    })
    assert saved.status_code == 303
    confirm = web.get(f"/hr/framework/versions/{draft}/publish").get_data(as_text=True)
    assert "3 ledere af 3 enheder får en e-mail om de ændrede tekster." in confirm
    published = web.post(f"/hr/framework/versions/{draft}/publish",
                         data=form_fields(confirm, "publish"))
    assert published.status_code == 303

    _url, relay = content_relay
    while relay.run_once():  # the content relay puts framework.published on the stream
        pass

    mails = by_recipient(sink.wait_for(3, timeout=30))
    assert sorted(mails) == ["director@gentofte.test", "leader@gentofte.test",
                             "sfo-leader@gentofte.test"]
    for mail in mails.values():  # the small organisation's leaders all read Danish
        assert subject(mail) == f"Ledelsesgrundlaget er opdateret (version {draft})"
        assert "Hvad er mine største styrker?" in text(mail)
        assert "Hvor er mine styrker?" in text(mail)  # the text before
    assert len(sink.settle()) == 3, "one email per leader"
