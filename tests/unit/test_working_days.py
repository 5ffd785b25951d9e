"""Hari kerja: which local days count, and when "N working days" ends, in each Indonesian time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import WorkCalendar, national_holidays

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
JAKARTA, KUPANG, JAYAPURA = WorkCalendar(WIB), WorkCalendar(WITA), WorkCalendar(WIT)

# Cuti bersama 2026 (SKB 3 Menteri), as the pinned holidays package has them.
CUTI_BERSAMA_2026 = [date(2026, 2, 16), date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23),
                     date(2026, 3, 24), date(2026, 5, 15), date(2026, 5, 28), date(2026, 12, 24)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def end_of_local_day(day: date, offset_hours: int) -> datetime:
    """The local midnight ending ``day`` in a zone ``offset_hours`` ahead of UTC, as UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC) - timedelta(hours=offset_hours)


# -- which days count -------------------------------------------------------------------------------------

def test_weekdays_work_and_the_weekend_does_not():
    week = [date(2026, 3, 2) + timedelta(days=i) for i in range(7)]  # Monday 2 .. Sunday 8 March 2026
    assert [JAKARTA.is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_a_six_day_office_works_on_saturday():
    assert WorkCalendar(WIB, weekend=frozenset({6})).is_working_day(date(2026, 3, 7))


def test_a_national_holiday_is_not_a_working_day_and_has_its_indonesian_name():
    independence = date(2026, 8, 17)  # a Monday
    assert not JAKARTA.is_working_day(independence)
    assert JAKARTA.holiday_name(independence) == "Hari Kemerdekaan Republik Indonesia"


def test_working_days_and_plain_weekends_have_no_holiday_name():
    assert JAKARTA.holiday_name(date(2026, 3, 4)) is None
    assert JAKARTA.holiday_name(date(2026, 3, 7)) is None


def test_the_package_knows_the_2026_cuti_bersama():
    both = national_holidays(2026, cuti_bersama=True)
    public = national_holidays(2026, cuti_bersama=False)
    assert sorted(set(both) - set(public)) == CUTI_BERSAMA_2026
    assert all(both[d].startswith("Cuti Bersama") for d in CUTI_BERSAMA_2026)


@pytest.mark.parametrize("day", CUTI_BERSAMA_2026)
def test_cuti_bersama_closes_the_office_only_when_the_tenant_counts_it(day):
    assert not JAKARTA.is_working_day(day)
    assert JAKARTA.holiday_name(day).startswith("Cuti Bersama")
    without = WorkCalendar(WIB, cuti_bersama=False)
    assert without.is_working_day(day)
    assert without.holiday_name(day) is None


def test_a_date_the_tenant_adds_is_closed_and_named_tenant():
    hut_kota = date(2026, 12, 1)  # a Tuesday; e.g. the city's anniversary
    calendar = WorkCalendar(WITA, holidays_added=frozenset({hut_kota}))
    assert KUPANG.is_working_day(hut_kota)
    assert not calendar.is_working_day(hut_kota)
    assert calendar.holiday_name(hut_kota) == "tenant"


def test_a_date_the_tenant_removes_is_worked_even_on_a_holiday_or_a_weekend():
    christmas_eve, saturday = date(2026, 12, 24), date(2026, 12, 26)
    calendar = WorkCalendar(WITA, holidays_removed=frozenset({christmas_eve, saturday}))
    assert calendar.is_working_day(christmas_eve) and calendar.holiday_name(christmas_eve) is None
    assert calendar.is_working_day(saturday)
    assert not calendar.is_working_day(date(2026, 12, 25))  # Christmas itself stays a holiday


def test_a_date_cannot_be_added_and_removed_at_once():
    with pytest.raises(ValueError):
        WorkCalendar(WIB, holidays_added=frozenset({date(2026, 1, 2)}), holidays_removed=frozenset({date(2026, 1, 2)}))


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValueError):
        WorkCalendar("Asia/Kupang")


# -- deadlines --------------------------------------------------------------------------------------------

def test_the_filing_day_never_counts():
    wednesday_morning = utc(2026, 3, 4, 1, 0)  # 08:00 WIB
    assert JAKARTA.add_working_days(wednesday_morning, 1) == end_of_local_day(date(2026, 3, 5), 7)
    assert JAKARTA.add_working_days(wednesday_morning, 3) == end_of_local_day(date(2026, 3, 9), 7)  # over the weekend


def test_zero_days_means_the_end_of_the_same_working_day_or_of_the_next_one():
    assert JAKARTA.add_working_days(utc(2026, 3, 4, 1, 0), 0) == end_of_local_day(date(2026, 3, 4), 7)
    saturday = utc(2026, 3, 7, 3, 0)
    assert JAKARTA.add_working_days(saturday, 0) == end_of_local_day(date(2026, 3, 9), 7)


def test_cuti_bersama_moves_the_deadline_only_when_counted():
    friday_before_imlek = utc(2026, 2, 13, 3, 0)  # Mon 16 Feb cuti bersama, Tue 17 Feb Imlek
    assert JAKARTA.add_working_days(friday_before_imlek, 1) == end_of_local_day(date(2026, 2, 18), 7)
    without = WorkCalendar(WIB, cuti_bersama=False)
    assert without.add_working_days(friday_before_imlek, 1) == end_of_local_day(date(2026, 2, 16), 7)


def test_a_tenant_closure_moves_the_deadline():
    monday = utc(2026, 11, 30, 2, 0)
    closed = WorkCalendar(WITA, holidays_added=frozenset({date(2026, 12, 1)}))
    assert KUPANG.add_working_days(monday, 1) == end_of_local_day(date(2026, 12, 1), 8)
    assert closed.add_working_days(monday, 1) == end_of_local_day(date(2026, 12, 2), 8)


def test_the_same_instant_is_a_different_local_day_in_each_time_zone():
    thursday_late = utc(2026, 3, 5, 15, 30)  # Thu 22:30 WIB, Thu 23:30 WITA, Fri 00:30 WIT
    assert [c.local_date(thursday_late) for c in (JAKARTA, KUPANG, JAYAPURA)] == [
        date(2026, 3, 5), date(2026, 3, 5), date(2026, 3, 6)]
    one_hour_later = utc(2026, 3, 5, 16, 30)  # Thu 23:30 WIB, Fri 00:30 WITA, Fri 01:30 WIT
    assert [c.local_date(one_hour_later) for c in (JAKARTA, KUPANG, JAYAPURA)] == [
        date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 6)]
    # One working day: Jakarta counts Friday; Kupang and Jayapura are already on Friday and count Monday.
    assert JAKARTA.add_working_days(one_hour_later, 1) == utc(2026, 3, 6, 17, 0)
    assert KUPANG.add_working_days(one_hour_later, 1) == utc(2026, 3, 9, 16, 0)
    assert JAYAPURA.add_working_days(one_hour_later, 1) == utc(2026, 3, 9, 15, 0)


def test_a_report_filed_on_a_friday_evening_in_kupang_before_the_lebaran_break():
    # Fri 13 Mar 2026, 20:00 WITA. Then: Mon 16 and Tue 17 work; Wed 18 cuti Nyepi, Thu 19 Nyepi,
    # Fri 20 cuti, Sat 21 + Sun 22 Idul Fitri, Mon 23 + Tue 24 cuti; work resumes Wed 25 March.
    friday_evening = utc(2026, 3, 13, 12, 0)
    assert KUPANG.add_working_days(friday_evening, 3) == utc(2026, 3, 25, 16, 0)  # Thu 26 Mar 00:00 WITA
    assert KUPANG.working_days_between(friday_evening, utc(2026, 3, 25, 16, 0)) == 3
    # A tenant that works through cuti bersama only loses Nyepi: Mon 16, Tue 17, Wed 18.
    assert WorkCalendar(WITA, cuti_bersama=False).add_working_days(friday_evening, 3) == utc(2026, 3, 18, 16, 0)


def test_a_report_filed_before_christmas_waits_out_cuti_bersama_and_the_weekend():
    wednesday_evening = utc(2026, 12, 23, 11, 0)  # 19:00 WITA; Thu 24 cuti, Fri 25 Natal, Sat, Sun
    assert KUPANG.add_working_days(wednesday_evening, 1) == utc(2026, 12, 28, 16, 0)  # end of Mon 28 Dec WITA


def test_moving_a_deadline_along_the_grid():
    due = KUPANG.add_working_days(utc(2026, 3, 13, 12, 0), 3)  # end of Wed 25 March
    assert KUPANG.working_days_before(due, 1) == utc(2026, 3, 17, 16, 0)  # end of Tue 17 (the break is skipped)
    assert KUPANG.working_days_before(due, 0) == due
    assert KUPANG.working_days_after(due, 2) == utc(2026, 3, 27, 16, 0)  # end of Fri 27
    assert KUPANG.working_days_after(due, 0) == due


def test_deadlines_are_local_midnights_in_utc():
    for calendar, hour in ((JAKARTA, 17), (KUPANG, 16), (JAYAPURA, 15)):
        due = calendar.add_working_days(utc(2026, 5, 13, 9, 41), 2)  # Thu 14 Kenaikan, Fri 15 cuti
        assert due.tzinfo == UTC
        assert (due.hour, due.minute, due.second, due.microsecond) == (hour, 0, 0, 0)
        assert calendar.local_date(due) == date(2026, 5, 20)  # ends Tue 19 May


def test_naive_datetimes_and_negative_days_are_refused():
    with pytest.raises(ValueError):
        JAKARTA.add_working_days(datetime(2026, 3, 4, 9, 0), 1)
    with pytest.raises(ValueError):
        JAKARTA.working_days_before(datetime(2026, 3, 4, 9, 0), 1)
    with pytest.raises(ValueError):
        JAKARTA.add_working_days(utc(2026, 3, 4, 9, 0), -1)


def test_a_calendar_without_working_days_fails_instead_of_looping():
    with pytest.raises(ValueError):
        WorkCalendar(WIB, weekend=frozenset(range(7))).add_working_days(utc(2026, 3, 4), 1)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    days=st.integers(min_value=1, max_value=30),
    zone=st.sampled_from([WIB, WITA, WIT]),
    cuti_bersama=st.booleans(),
)
def test_n_working_days_end_at_a_local_midnight_after_exactly_n_working_days(start, days, zone, cuti_bersama):
    calendar = WorkCalendar(zone, cuti_bersama=cuti_bersama)
    due = calendar.add_working_days(start, days)
    local = due.astimezone(calendar.zone)
    assert local.time() == time(0) and due > start
    first, last = calendar.local_date(start) + timedelta(days=1), local.date() - timedelta(days=1)
    between = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert sum(calendar.is_working_day(d) for d in between) == days
    assert calendar.is_working_day(last)
    assert calendar.working_days_between(start, due) == days
