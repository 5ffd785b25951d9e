"""Open311 rules: the workflow as open/closed, the date window, form parsing, questions and the XML shape."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from ulid import ULID

from chalicelib.domain import open311 as rules
from chalicelib.domain.questions import QUESTIONS, check_answers
from chalicelib.domain.report_ids import id_bounds
from chalicelib.domain.reports import STATUSES
from chalicelib.domain.taxonomy import CATEGORIES, CATEGORY_GROUPS, GROUPS, group_of
from chalicelib.errors import ProblemError

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def test_work_still_to_do_is_open_and_work_done_or_refused_is_closed():
    assert {s: rules.open311_status(s) for s in STATUSES} == {
        "submitted": "open", "on_hold": "open", "dispatched": "open", "acknowledged": "open",
        "in_progress": "open", "resolved": "closed", "closed": "closed", "rejected": "closed"}
    assert all(rules.status_note(s, "id") and rules.status_note(s, "en") for s in STATUSES)
    assert rules.internal_statuses({"closed"}) == ("resolved", "closed", "rejected")
    assert set(rules.internal_statuses({"open", "closed"})) == set(STATUSES)


def test_every_category_has_a_group_in_both_languages():
    assert set(CATEGORY_GROUPS) == set(CATEGORIES) and set(CATEGORY_GROUPS.values()) <= set(GROUPS)
    assert group_of("garbage", "en") == "Cleanliness and environment"
    assert group_of("garbage", "id") == "Kebersihan dan lingkungan"


def test_the_default_window_is_the_last_90_days_and_never_longer():
    assert rules.date_window(None, None, NOW) == (NOW - timedelta(days=90), NOW)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.date_window("2026-01-01T08:00:00+08:00", None, NOW) == (start, start + timedelta(days=90))
    assert rules.date_window(None, "2026-04-01T00:00:00Z", NOW)[0] == datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.date_window("2026-01-01", "2026-03-31T23:59:59Z", NOW)[0] == start  # a date alone is UTC midnight
    for start_date, end_date in (("2026-01-01T00:00:00Z", "2026-04-02T00:00:00Z"),  # 91 days
                                 ("2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"), ("kemarin", None)):
        with pytest.raises(rules.Open311Error) as raised:
            rules.date_window(start_date, end_date, NOW)
        assert raised.value.status == 400


def test_the_window_is_a_range_of_report_ids_created_in_it():
    lo, hi = id_bounds(NOW - timedelta(seconds=1), NOW)
    inside = str(ULID.from_datetime(NOW - timedelta(milliseconds=500)))
    at_the_end = str(ULID.from_datetime(NOW))
    before = str(ULID.from_datetime(NOW - timedelta(seconds=2)))
    after = str(ULID.from_datetime(NOW + timedelta(milliseconds=1)))
    assert lo <= inside <= hi and lo <= at_the_end <= hi
    assert not lo <= before <= hi and not lo <= after <= hi


def test_service_request_id_overrides_every_other_filter():
    search = rules.parse_search({"service_request_id": "A1,B2,A1", "status": "bogus", "start_date": "x"}, NOW)
    assert search.ids == ("A1", "B2") and not search.codes
    with pytest.raises(rules.Open311Error):
        rules.parse_search({"service_request_id": ",".join(f"R{i}" for i in range(101))}, NOW)
    empty = rules.parse_search({"service_request_id": "", "service_code": "", "status": ""}, NOW)
    assert empty.ids == () and empty.codes == () and not empty.states  # empty counts as absent
    assert rules.parse_search({"status": "Open,closed"}, NOW).states == {"open", "closed"}


def test_a_form_collects_attributes_and_refuses_a_field_sent_twice():
    form = rules.parse_form(b"service_code=road_damage&attribute%5Bsize%5D=large&attribute[kinds][]=a"
                            b"&attribute[kinds][]=b&attribute[again]=x&attribute[again]=y&attribute[blank]="
                            b"&extension_field=1&description=Lubang+%C3%A9&lat=")
    assert form.fields == {"service_code": "road_damage", "description": "Lubang é"}  # empty lat = absent
    assert form.attributes == {"size": "large", "kinds": ["a", "b"], "again": ["x", "y"]}
    for raw in (b"service_code=a&service_code=b", b"description=%FF", b"description=a%00b",
                b"&".join(b"f%d=1" % i for i in range(rules.MAX_FORM_FIELDS + 1))):
        with pytest.raises(rules.Open311Error) as raised:
            rules.parse_form(raw)
        assert raised.value.status == 400


def test_a_location_is_lat_and_long_together_or_an_address():
    assert rules.location_of(rules.Submission(fields={"lat": "-10.1", "long": "123.6"})) == rules.Location(-10.1, 123.6)
    assert rules.location_of(rules.Submission(fields={"address_string": "Jl. Alak"})) is None
    for fields in ({"lat": "-10.1"}, {"lat": "nan", "long": "1"}, {"lat": "1", "long": "181"}, {}):
        with pytest.raises(rules.Open311Error):
            rules.location_of(rules.Submission(fields=fields))


def test_answers_are_checked_against_the_categorys_questions():
    assert check_answers("road_damage", {"size": "large"}) == {"size": "large"}
    assert check_answers("garbage", {"waste_types": ["market", "household", "market"]}) == {
        "waste_types": ["household", "market"]}
    assert check_answers("flood_drainage", {"water_depth_cm": "40"}) == {"water_depth_cm": "40"}
    assert check_answers("congestion", None) is None
    assert check_answers("road_damage", None) is None  # a client that sends no answers predates the questions
    with pytest.raises(ProblemError):
        check_answers("road_damage", {})  # one that sends answers answers the required ones
    with pytest.raises(ProblemError) as raised:
        check_answers("road_damage", {"size": ["large", "small"], "colour": "red", "blocks_traffic": "maybe"})
    assert {(e.field, e.code) for e in raised.value.errors} == {
        ("attribute[colour]", "unknown_attribute"), ("attribute[size]", "single_value"),
        ("attribute[blocks_traffic]", "unknown_value")}
    with pytest.raises(ProblemError) as raised:
        check_answers("fire", {"emergency": "x", "people_trapped": ""})  # notices are not answered
    assert {e.code for e in raised.value.errors} == {"unknown_attribute", "required"}
    with pytest.raises(ProblemError):
        check_answers("flood_drainage", {"water_depth_cm": "inf"})
    assert all(q.choices for qs in QUESTIONS.values() for q in qs if q.datatype.endswith("valuelist"))


def test_xml_has_the_declaration_the_specs_element_names_and_no_control_characters():
    from chalicelib.api.open311_wire import to_xml

    text = to_xml("service_requests", [{"service_request_id": "1", "description": "a\x01b <c> & é",
                                        "status_notes": None, "lat": -10.5}])
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request>')
    root = ET.fromstring(text.encode())  # noqa: S314 - our own output
    assert root.findtext("request/description") == "ab <c> & é"
    assert root.find("request/status_notes") is None and root.findtext("request/lat") == "-10.5"
    definition = ET.fromstring(to_xml("service_definition", {  # noqa: S314 - our own output
        "service_code": "fire", "attributes": [{"variable": False, "values": [{"key": "yes", "name": "Ya"}]}]}))
    assert definition.findtext("attributes/attribute/variable") == "false"
    assert definition.findtext("attributes/attribute/values/value/key") == "yes"


def test_a_file_name_is_split_into_its_id_and_format():
    assert rules.split_file("01JABC.json") == ("01JABC", "json")
    assert rules.split_file("KPG-7Q4M2X.xml") == ("KPG-7Q4M2X", "xml")
    for name in ("01JABC", "01JABC.html", ".json", "a.b.csv"):
        with pytest.raises(rules.Open311Error) as raised:
            rules.split_file(name)
        assert raised.value.status == 404
