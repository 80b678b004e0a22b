"""The working calendar: weekends, public holidays of the case's and the company's countries
(the maintained ``holidays`` library), and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from incident_hub import workcal
from incident_hub.config import ConfigError

pytestmark = pytest.mark.config(REMINDERS={"HOLIDAY_COUNTRIES": ["US"]})


def test_a_public_holiday_of_the_case_or_the_company_is_not_a_business_day(ctx):
    countries = workcal.countries_for(["TR", "EU", "INTL"])
    assert countries == ("TR", "US")  # EU and INTL have no public holidays of their own
    assert workcal.holiday(date(2026, 10, 29), countries) == "TR: Republic Day"
    assert not workcal.is_business_day(date(2026, 10, 29), countries)  # a Thursday
    assert not workcal.is_business_day(date(2026, 7, 3), countries)  # US: observed, a Friday
    assert workcal.is_business_day(date(2026, 10, 28), countries)
    assert not workcal.is_business_day(date(2026, 10, 31), countries)  # a Saturday


def test_working_time_is_read_in_each_persons_time_zone(ctx):
    at = datetime(2026, 10, 28, 10, 0, tzinfo=UTC)  # 10:00 UTC is 03:00 in Los Angeles
    assert workcal.is_working_time(at)
    assert not workcal.is_working_time(at, tz="America/Los_Angeles")
    assert workcal.is_working_time(at, tz="Asia/Kolkata")  # 15:30


def test_an_unknown_holiday_country_is_refused_at_start_up(make_app):
    with pytest.raises(ConfigError, match=r"HOLIDAY_COUNTRIES: 'ZZ'"):
        make_app(REMINDERS={"HOLIDAY_COUNTRIES": ["ZZ"]})
