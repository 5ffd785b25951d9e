"""The holiday table the calendar reads is what the pinned ``holidays`` package says, year by year."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain import calendar
from devstack.holiday_table import TABLE, YEARS, computed


@pytest.mark.parametrize("year", list(YEARS))
def test_the_table_holds_the_packages_holidays_for_every_tabled_year(year):
    tabled = json.loads(TABLE.read_text(encoding="utf-8"))["years"][str(year)]
    assert tabled == computed(year), "holidays was bumped: run python -m devstack.holiday_table"


def test_a_year_beyond_the_table_is_asked_of_the_package_itself():
    beyond = max(YEARS) + 1
    from holidays.countries.indonesia import Indonesia

    assert calendar.national_holidays(beyond, False) == dict(Indonesia(years=beyond, language="id"))


def test_cuti_bersama_adds_days_and_keeps_every_public_holiday():
    public = calendar.national_holidays(2026, cuti_bersama=False)
    both = calendar.national_holidays(2026, cuti_bersama=True)
    assert set(public) < set(both)
    assert len(both) - len(public) >= 1
