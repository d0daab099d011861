"""The composition root of notify's workers and consumer: clients built once per process.

Built on first use, and again in a forked child, so nothing is connected at
import time and no socket is shared across a fork.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from services.notify.composing import sender_domain
from services.notify.config import NotifySettings, load_notify_settings
from services.notify.directory import Directory
from services.notify.framework import FrameworkClient
from services.notify.mailings import Mailing, mailings
from services.notify.rendering import Templates
from services.notify.smtp import SmtpSender, parse_smtp_url
from shared.db import make_engine, make_session_factory
from shared.http import http_session


@dataclass
class Runtime:
    settings: NotifySettings
    engine: Engine
    session_factory: sessionmaker
    directory: Directory
    framework: FrameworkClient
    mailings: dict[str, Mailing]
    templates: Templates
    sender: SmtpSender
    domain: str


def _internal_session(token: str | None = None):
    session = http_session(token=token)
    # The calls stay inside the platform, and requests would otherwise read the proxy
    # variables of the environment afresh on every lookup (a tenth of its CPU).
    session.trust_env = False
    return session


def bootstrap(settings: NotifySettings) -> Runtime:
    """Build every client notify's jobs use from settings."""
    engine = make_engine(settings.base.database_url)
    framework = FrameworkClient(settings.base.content_url, _internal_session())
    return Runtime(
        settings=settings, engine=engine, session_factory=make_session_factory(engine),
        directory=Directory(settings.base.assessment_url,
                            _internal_session(token=settings.token())),
        framework=framework,
        mailings=mailings(framework, follow_up_areas=settings.policy.follow_up_focus_areas),
        templates=Templates(),
        sender=SmtpSender(parse_smtp_url(settings.smtp_url), timeout=settings.smtp_timeout),
        domain=sender_domain(settings.mail_from),
    )


_current: tuple[int, Runtime] | None = None


def runtime() -> Runtime:
    """This process's runtime, from the environment."""
    global _current
    if _current is None or _current[0] != os.getpid():
        _current = (os.getpid(), bootstrap(load_notify_settings()))
    return _current[1]
