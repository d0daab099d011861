"""New ids sort in the order they were made, so the indexes on them grow at one end."""

import time

from shared.ids import new_uuid


def test_ids_made_one_after_another_sort_one_after_another():
    ids = [new_uuid() for _ in range(2000)]
    assert [str(i) for i in ids] == sorted(str(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7}


def test_an_id_starts_with_the_time_it_was_made():
    before_ms = time.time_ns() // 1_000_000
    made_ms = new_uuid().int >> 80
    assert before_ms <= made_ms <= before_ms + 60_000
