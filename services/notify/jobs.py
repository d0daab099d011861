"""Running one email job: find its recipients, compose, claim, hand to SMTP, record.

A job is a plain dict that travels through the queue:
``{"kind": ..., "source": event id or reminder key, "data": {...}}``, optionally
``"people": [...]`` (only these recipients), ``"retry": true`` (an email's dead
letter sent again), ``"dead_letter"`` (the key of the dead letter it sends again)
and ``"request_id"`` (of the HTTP request behind the event, for the logs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from services.notify import deliveries
from services.notify.composing import address, build_message, message_id
from services.notify.deliveries import Claim, Failure
from services.notify.directory import still_here
from services.notify.failures import storable
from services.notify.mailings import Loaded, Mailing, Recipient
from services.notify.metrics import EMAILS_DEAD_LETTERED, EMAILS_RETRIED, EMAILS_SENT
from services.notify.models import DEAD, FAILED, SENDING
from services.notify.rendering import language
from services.notify.runtime import Runtime
from services.notify.scheduling import today
from services.notify.smtp import PermanentFailure, TemporaryFailure

log = structlog.get_logger(__name__)

FAN_OUT = 50  # a job with more recipients is split into jobs of this many
CHUNK = 20  # emails claimed and recorded together: the most a crash can leave "sending"


def idempotency_key(source: str, kind: str, person_id: str) -> str:
    return f"{source}|{kind}|{person_id}"


def job_key(job: dict) -> str:
    """The dead-letter key of a whole job: the letter it sends again, else its source and
    kind, and which part of a fan-out it is."""
    if job.get("dead_letter"):
        return str(job["dead_letter"])
    key = f"{job.get('source')}|{job.get('kind')}"
    if "people" in job:
        part = json.dumps(job["people"], sort_keys=True, default=str).encode()
        key += f"|part:{hashlib.sha256(part).hexdigest()[:16]}"
    return storable(key, 300)


@dataclass(frozen=True)
class Owed:
    recipient: Recipient
    key: str
    seen_attempts: int | None  # the row's attempts when read; None: no row yet
    resending: bool = False  # the row says "sending": a crash may have hidden a handed-over email


@dataclass
class Outgoing:
    claim: Claim
    email: str
    data: bytes
    resending: bool = False
    unsendable: str | None = None


def run_job(
    job: dict, *, rt: Runtime, last_try: bool, enqueue: Callable[[list[dict]], None]
) -> TemporaryFailure | None:
    """Send what the job still owes; returns the temporary failure to retry on, if any."""
    mailing = rt.mailings[job["kind"]]
    loaded = mailing.load(rt.directory, job["data"], job.get("people"))
    if loaded is None:
        log.info("nothing to send", kind=job["kind"], source=job["source"])
        return None
    recipients = loaded.recipients
    if "people" in job:
        recipients = [r for r in recipients if r.person_id in job["people"]]
    elif len(recipients) > FAN_OUT:
        enqueue([{**job, "people": [r.person_id for r in recipients[start:start + FAN_OUT]]}
                 for start in range(0, len(recipients), FAN_OUT)])
        return None
    todo = _still_owed(job, recipients, rt)
    people = rt.directory.people([owed.recipient.person_id for owed in todo])
    todo = _not_left(todo, people, rt)
    for start in range(0, len(todo), CHUNK):
        failure = _send_chunk(job, mailing, loaded, todo[start:start + CHUNK], people, rt,
                              last_try)
        if failure is not None:
            return failure
    return None


def _not_left(owed: list[Owed], people: dict[str, dict], rt: Runtime) -> list[Owed]:
    """What is owed to people who are still here: every kind of email passes here, so none
    goes to someone who has left (by today, in notify's time zone) or was erased."""
    gone = people.keys() - still_here(people, today(rt.settings.policy)).keys()
    for item in owed:
        if item.recipient.person_id in gone:
            log.info("not sending: person left", key=item.key)
    return [item for item in owed if item.recipient.person_id not in gone]


def _still_owed(job: dict, recipients: list[Recipient], rt: Runtime) -> list[Owed]:
    keys = {r.person_id: idempotency_key(job["source"], job["kind"], r.person_id)
            for r in recipients}
    with rt.session_factory() as session:
        known = deliveries.states(session, list(keys.values()))
        gone = deliveries.erased(session, list(keys))
    owed = []
    for recipient in recipients:
        key = keys[recipient.person_id]
        row = known.get(key)
        if recipient.person_id in gone:
            log.info("not sending: person erased", key=key)
        elif row is None:
            owed.append(Owed(recipient, key, None))
        elif row.state == SENDING:
            owed.append(Owed(recipient, key, row.attempts, resending=True))
        elif row.state == FAILED or (row.state == DEAD and job.get("retry")):
            owed.append(Owed(recipient, key, row.attempts))
    return owed


def _compose(
    mailing: Mailing, loaded: Loaded, owed: Owed, people: dict[str, dict], rt: Runtime
) -> Outgoing | None:
    recipient, key = owed.recipient, owed.key
    person = people.get(recipient.person_id)
    if person is None:
        log.info("not sending: person unknown or erased", key=key)
        return None
    lang = language(person.get("language"))
    version = mailing.framework_version(loaded)
    framework = None if version is None else rt.framework.version(version, lang)
    context = {
        **mailing.context(loaded, framework, recipient),
        "person": person, "base_url": rt.settings.base.public_base_url,
    }
    msg_id = message_id(key, rt.domain)
    claim = Claim(key=key, kind=mailing.kind, person_id=recipient.person_id,
                  message_id=msg_id, seen_attempts=owed.seen_attempts)
    try:
        to = address(person["email"])
    except ValueError as exc:  # an address no server would take
        return Outgoing(claim=claim, email="", data=b"", unsendable=f"bad address: {exc}")
    data = build_message(
        rendered=rt.templates.render(mailing.template(recipient), lang, context),
        mail_from=rt.settings.mail_from, to_name=person["name"],
        to_address=to, msg_id=msg_id, sent_at=datetime.now(UTC), lang=lang,
        invitation=mailing.invitation(loaded, framework, recipient,
                                      rt.settings.base.public_base_url)
        if mailing.invites else None,
    )
    return Outgoing(claim=claim, email=to, data=data, resending=owed.resending)


def _send_chunk(job, mailing, loaded, owed, people, rt: Runtime, last_try: bool):
    outgoing = [o for o in (_compose(mailing, loaded, item, people, rt) for item in owed) if o]
    with rt.session_factory() as session:
        won = deliveries.claim(session, [o.claim for o in outgoing])
    sent, dead, released, failure = [], [], [], None
    for item in outgoing:
        if item.claim.key not in won:
            continue  # another copy of this job is sending it
        if failure is not None and not last_try:
            released.append(item.claim.key)
            continue
        try:
            if item.unsendable:
                raise PermanentFailure(item.unsendable)
            if item.resending:
                log.warning("re-sending within the acceptance window", key=item.claim.key,
                            message_id=item.claim.message_id,
                            attempts=item.claim.seen_attempts)
            rt.sender.send(item.data, sender=rt.settings.mail_from, recipient=item.email)
        except PermanentFailure as exc:
            dead.append(_failure(job, item, exc))
        except TemporaryFailure as exc:
            failure = exc
            if last_try:
                dead.append(_failure(job, item, exc))
            elif exc.code is not None:
                # The server answered 4xx: it did not take the message. A lost
                # connection may have lost the answer to an accepted one: it stays "sending".
                released.append(item.claim.key)
        else:
            sent.append(item.claim.key)
    with rt.session_factory() as session:
        deliveries.settle(session, sent=sent, dead=dead, released=released,
                          retrying_dead_letters=bool(job.get("retry")))
    EMAILS_SENT.labels(mailing.kind).inc(len(sent))
    if sent:
        log.info("emails sent", kind=mailing.kind, keys=sent)
    if failure is not None and not last_try:
        EMAILS_RETRIED.labels(mailing.kind).inc(len(released))
    for item in dead:
        EMAILS_DEAD_LETTERED.labels(mailing.kind).inc()
        log.warning("dead-lettered", key=item.claim.key, error=item.error, code=item.code)
    return None if last_try else failure


def _failure(job: dict, item: Outgoing, exc: Exception) -> Failure:
    code = getattr(exc, "code", None)
    retry_job = {**job, "people": [item.claim.person_id], "retry": True}
    return Failure(claim=item.claim, error=str(exc), code=code, job=retry_job)
