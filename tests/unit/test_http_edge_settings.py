"""The HTTP edge's settings: proxies to trust, and rate limits a deployment can tune or turn off."""

import pytest

from shared.config import RateLimits, load_settings


def test_by_default_no_proxy_is_trusted_and_the_limits_are_generous():
    settings = load_settings("content", {})
    assert settings.trusted_proxies == 0
    assert settings.rate_limits == RateLimits(per_person="600/minute",
                                              per_address="12000/minute")


def test_the_environment_sets_them():
    settings = load_settings("content", {
        "TRUSTED_PROXIES": "1", "RATE_LIMIT_PER_PERSON": "10/second;300/minute",
        "RATE_LIMIT_PER_ADDRESS": "50000/hour",
    })
    assert settings.trusted_proxies == 1
    assert settings.rate_limits == RateLimits(per_person="10/second;300/minute",
                                              per_address="50000/hour")


@pytest.mark.parametrize("off", ["off", "false", "0", "no", " OFF "])
def test_rate_limits_can_be_turned_off(off):
    assert load_settings("content", {"RATE_LIMITS": off}).rate_limits is None


@pytest.mark.parametrize(("name", "value"), [
    ("RATE_LIMIT_PER_PERSON", "600"), ("RATE_LIMIT_PER_PERSON", ""),
    ("RATE_LIMIT_PER_ADDRESS", "lots/minute"), ("RATE_LIMITS", "sometimes"),
])
def test_a_limit_not_understood_stops_the_service_naming_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        load_settings("content", {name: value})
