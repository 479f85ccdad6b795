"""Dates in Australian Government style: "16 March 2026" (no comma, no ordinal)."""

from __future__ import annotations

import datetime as dt

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def long_date(day: dt.date) -> str:
    """16 March 2026"""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_year(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def date_range(first: dt.date, last: dt.date) -> str:
    """9 March 2026 – 15 March 2026 (an en dash between two full dates)."""
    return f"{long_date(first)} \u2013 {long_date(last)}"


def today_in(tz) -> dt.date:
    return dt.datetime.now(tz).date()


def rfc3339(day: dt.date, tz) -> str:
    """Midnight of a date in the site's time zone, e.g. 2026-03-16T00:00:00+11:00."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).isoformat()
