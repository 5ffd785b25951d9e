"""DynamoDB's request-unit rules, as bench/cost.py applies them, checked on items whose cost is known."""

from __future__ import annotations

from bench import dynamo_units as u

KEYS = ("tenant", "report_id")
FEED = u.Index("public_feed", ("feed", "report_id"), "ALL")
GEO = u.Index("public_geo", ("geo", "geo_key"), "INCLUDE", ("status",))
QUEUE = u.Index("desk_queue", ("desk", "due_key"), "KEYS_ONLY")


def s(text: str) -> dict[str, str]:
    return {"S": text}


def report(**extra: dict[str, object]) -> dict[str, dict[str, object]]:
    return {"tenant": s("kupang"), "report_id": s("01J"), "status": s("submitted"), **extra}


def test_an_item_weighs_its_attribute_names_and_values():
    assert u.item_size({"a": s("xyz")}) == 4
    assert u.item_size({"nama": s("é")}) == 4 + 2  # UTF-8 bytes, not characters
    assert u.item_size({"ok": {"BOOL": True}, "n": {"NULL": True}}) == 2 + 1 + 1 + 1


def test_a_number_weighs_a_byte_per_two_significant_digits_plus_one():
    assert u.number_size("5") == 2
    assert u.number_size("123.45") == 4  # five digits: three bytes, plus one
    assert u.number_size("-10.1700") == 3  # zeros at both ends are trimmed: "1017"
    assert u.number_size("0") == 2


def test_lists_and_maps_carry_three_bytes_and_one_per_element():
    assert u.value_size({"L": []}) == 3
    assert u.value_size({"L": [s("ab"), s("c")]}) == 3 + (1 + 2) + (1 + 1)
    assert u.value_size({"M": {"id": s("x")}}) == 3 + 1 + 2 + 1


def test_a_write_costs_a_unit_per_started_kilobyte_of_the_larger_image():
    small, big = report(), report(description=s("x" * 1500))
    assert u.item_write_cost(None, small, (), KEYS).table == 1
    assert u.item_write_cost(big, small, (), KEYS).table == 2  # the larger of before and after
    assert u.item_write_cost(None, small, (), KEYS, transactional=True).table == 2  # prepare and commit


def test_a_read_costs_a_unit_per_started_four_kilobytes_and_half_when_eventually_consistent():
    assert u.read_units(4096, consistent=True) == 1
    assert u.read_units(4097, consistent=True) == 2
    assert u.read_units(4097, consistent=False) == 1
    assert u.read_units(0, consistent=False) == 0.5  # a missing item still costs the minimum


def test_an_item_outside_a_sparse_index_costs_the_index_nothing():
    assert u.item_write_cost(None, report(), (FEED, QUEUE), KEYS).indexes == {}


def test_entering_and_leaving_an_index_cost_one_write_each():
    listed = report(feed=s("kupang"))
    assert u.item_write_cost(None, listed, (FEED,), KEYS).indexes == {"public_feed": 1}
    assert u.item_write_cost(listed, report(), (FEED,), KEYS).indexes == {"public_feed": 1}


def test_a_key_change_is_a_delete_and_a_put():
    before = report(desk=s("kupang#submitted"), due_key=s("2026-12-01"))
    after = report(desk=s("kupang#on_hold"), due_key=s("2026-12-01"))
    assert u.item_write_cost(before, after, (QUEUE,), KEYS).indexes == {"desk_queue": 2}


def test_an_index_is_written_only_when_what_it_projects_changes():
    before = report(geo=s("kupang#86"), geo_key=s("8f#01J"), feed=s("kupang"))
    renamed = {**before, "description": s("changed")}
    moved_on = {**before, "status": s("verified")}
    assert u.item_write_cost(before, renamed, (FEED, GEO), KEYS).indexes == {"public_feed": 1}  # ALL sees all
    assert u.item_write_cost(before, moved_on, (FEED, GEO), KEYS).indexes == {"public_feed": 1, "public_geo": 1}


def test_an_index_entry_weighs_only_the_keys_and_projected_attributes():
    big = report(desk=s("kupang#submitted"), due_key=s("k"), description=s("x" * 2900))
    assert u.item_write_cost(None, big, (QUEUE,), KEYS).indexes == {"desk_queue": 1}
    assert u.item_write_cost(None, big, (u.Index("all", ("desk", "due_key"), "ALL"),), KEYS).indexes == {"all": 3}
