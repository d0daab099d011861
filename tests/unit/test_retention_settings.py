"""The retention periods: documented defaults, set by the environment, checked at start."""

import pytest

from shared.retention import MIN_DIALOGUE_DAYS, Retention, load_retention


def test_the_defaults():
    assert load_retention({}) == Retention(
        dialogue_text_days=1826, dialogue_days=3653, action_history_days=1826,
        read_log_days=730, outbox_days=30, email_log_days=365, stream_days=30,
    )


def test_the_environment_sets_them():
    assert load_retention({
        "RETENTION_DIALOGUE_TEXT_DAYS": "1000", "RETENTION_DIALOGUE_DAYS": "2000",
        "RETENTION_ACTION_HISTORY_DAYS": "400", "RETENTION_READ_LOG_DAYS": " 90 ",
        "RETENTION_OUTBOX_DAYS": "7", "RETENTION_EMAIL_LOG_DAYS": "180",
        "RETENTION_STREAM_DAYS": "14",
    }) == Retention(1000, 2000, 400, 90, 7, 180, 14)


def test_zero_keeps_for_good():
    names = ("RETENTION_DIALOGUE_TEXT_DAYS", "RETENTION_DIALOGUE_DAYS",
             "RETENTION_ACTION_HISTORY_DAYS", "RETENTION_READ_LOG_DAYS", "RETENTION_OUTBOX_DAYS",
             "RETENTION_EMAIL_LOG_DAYS", "RETENTION_STREAM_DAYS")
    assert load_retention(dict.fromkeys(names, "0")) == Retention(0, 0, 0, 0, 0, 0, 0)
    assert load_retention({"RETENTION_DIALOGUE_DAYS": "0"}).dialogue_text_days == 1826


@pytest.mark.parametrize(("name", "value"), [
    ("RETENTION_OUTBOX_DAYS", ""), ("RETENTION_OUTBOX_DAYS", "-1"),
    ("RETENTION_READ_LOG_DAYS", "1.5"), ("RETENTION_READ_LOG_DAYS", "two years"),
    ("RETENTION_EMAIL_LOG_DAYS", "36526"), ("RETENTION_STREAM_DAYS", "٣"),
    ("RETENTION_DIALOGUE_DAYS", str(MIN_DIALOGUE_DAYS - 1)),
])
def test_a_value_not_understood_stops_the_service_naming_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        load_retention({name: value})


def test_texts_are_not_kept_longer_than_their_dialogue():
    with pytest.raises(ValueError, match="RETENTION_DIALOGUE_TEXT_DAYS"):
        load_retention({"RETENTION_DIALOGUE_TEXT_DAYS": "4000"})
    assert load_retention({"RETENTION_DIALOGUE_TEXT_DAYS": "0",
                           "RETENTION_DIALOGUE_DAYS": "4000"}).dialogue_text_days == 0
