"""POST /api/v1/org/import takes a whole municipality: a file of up to 20 MiB, read as it
arrives; past that a 413 naming the limit, without reading the rest; the token first."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from services.assessment.models import Person, Unit
from tests.assessment.test_org_import import HEADER, snapshot

PATH = "/api/v1/org/import"
MAX_BYTES = 20 * 1024 * 1024
TEAM = 15
BLANK_LINE = b" " * 1023 + b"\n"


def municipality(people: int) -> bytes:
    """A top unit and teams of TEAM people; each team's first three lead it and are its TRIO."""
    lines = [HEADER, "unit,kommune,Gentofte Kommune,,,,,p0,,\n"]
    for n in range(people):
        team = f"team-{n // TEAM}"
        if n % TEAM == 0:
            lines.append(f"unit,{team},Team {n // TEAM},,,,kommune,p{n},p{n + 1},p{n + 2}\n")
        lines.append(f"person,p{n},Person Nummer {n},p{n}@gentofte.test,da,{team},,,,\n")
    return "".join(lines).encode()


class Body(io.RawIOBase):
    """`size` bytes made as they are read: `head`, then lines of spaces (blank lines, which
    the import skips); `served` counts what the service read of it."""

    def __init__(self, head: bytes, size: int):
        self.head, self.size = head, size
        self.position = self.served = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the body
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = offset + (self.size if whence == io.SEEK_END else 0)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self.size - self.position)
        head = self.head[self.position:self.position + wanted]
        offset = (self.position + len(head) - len(self.head)) % len(BLANK_LINE)
        blanks = wanted - len(head)
        chunk = head + (BLANK_LINE * (blanks // len(BLANK_LINE) + 2))[offset:offset + blanks]
        buffer[:wanted] = chunk
        self.position += wanted
        self.served += wanted
        return wanted


def send(client, how: str, body: Body, headers: dict):
    """POST the body as text/csv with its length, chunked (no length), or a multipart upload."""
    if how == "multipart":
        # Encoded here, in memory: the test client would leave a temporary file open.
        boundary, data = encode_multipart(
            {"file": FileStorage(io.BytesIO(body.readall()), "organisation.csv")})
        return client.post(PATH, data=data, headers=headers,
                           content_type=f'multipart/form-data; boundary="{boundary}"')
    if how == "chunked":
        # As a WSGI server hands on a chunked body: a stream that ends, without a length.
        return client.post(PATH, input_stream=body, content_type="text/csv",
                           headers={**headers, "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    return client.post(PATH, input_stream=body, content_length=body.size,
                       content_type="text/csv", headers=headers)


@pytest.mark.parametrize("how", ["length", "chunked", "multipart"])
def test_a_file_of_20_mib_is_imported(client, hr, assessment_sessions, how):
    """6,000 people (more than one statement's worth) and blank lines up to 20 MiB exactly;
    bench/org_import.py times files of real people only."""
    response = send(client, how, Body(municipality(6000), MAX_BYTES), hr)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "people": {"created": 6000, "updated": 0, "unchanged": 0},
        "units": {"created": 401, "updated": 0, "unchanged": 0},
        "left": [],
    }
    with assessment_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 6000
        assert session.get(Unit, "team-399").amr_id == "p5987"


@pytest.mark.parametrize("how", ["length", "chunked", "multipart"])
def test_a_file_one_byte_over_20_mib_is_413(client, hr, assessment_sessions, how):
    body = Body(municipality(150), MAX_BYTES + 1)
    response = send(client, how, body, hr)
    assert response.status_code == 413
    assert response.get_json()["message"] == "the file may be at most 20 MiB (20,971,520 bytes)"
    assert snapshot(assessment_sessions) == {"units": {}, "people": {}}
    if how == "length":
        assert body.served == 0  # refused by its Content-Length, unread


def test_a_longer_body_is_not_read_to_its_end(client, hr):
    body = Body(municipality(150), 3 * MAX_BYTES)
    assert send(client, "chunked", body, hr).status_code == 413
    assert body.served == MAX_BYTES + 1


def test_an_upload_longer_than_the_limit_by_its_length_is_not_read(client, hr):
    body = Body(b"", MAX_BYTES + 64 * 1024 + 1)  # an upload may add 64 KiB to the file
    response = client.post(PATH, input_stream=body, content_length=body.size, headers=hr,
                           content_type='multipart/form-data; boundary="x"')
    assert response.status_code == 413
    assert body.served == 0


@pytest.mark.parametrize("how", ["length", "chunked"])
def test_the_token_is_checked_before_the_body(client, token, how):
    for headers, status in (({}, 401), (token("leader", "leader"), 403)):
        body = Body(municipality(150), MAX_BYTES + 1)
        assert send(client, how, body, headers).status_code == status
        assert body.served == 0
