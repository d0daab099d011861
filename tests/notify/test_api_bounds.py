"""Notify's API answers 4xx for ids and pages out of bounds, never 500."""

import pytest


@pytest.mark.parametrize("path, status", [
    ("/api/v1/dead-letters/99999999999999999999/retry", 404),
    ("/api/v1/dead-letters/2147483648/retry", 404),
    ("/api/v1/dead-letters?page=2305843009213693951", 422),
    ("/api/v1/dead-letters?status=dead%00", 422),
])
def test_ids_and_pages_out_of_bounds_are_refused(api, token, path, status):
    hr = token("hr-1", "hr_admin")
    method = api.post if path.endswith("/retry") else api.get
    assert method(path, headers=hr).status_code == status


def test_the_token_is_checked_before_the_query(api):
    assert api.get("/api/v1/dead-letters?page=0").status_code == 401
