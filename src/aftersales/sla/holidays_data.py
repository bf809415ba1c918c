"""Statutory holidays and make-up working days (调休) from maintained packages, as plain data.

`chinese_calendar` carries the State Council's notices (official, with make-up days) up to
its last year; `holidays` computes later years' holidays (lunar dates included) but knows no
make-up days, so those years are marked incomplete and staff are warned until an admin
enters the notice.
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class DayOff:
    date: datetime.date
    working: bool
    name: str


@dataclass(frozen=True)
class YearData:
    year: int
    days: tuple[DayOff, ...]
    source: str
    complete: bool


_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _official_last_year() -> int:
    import chinese_calendar

    return max(day.year for day in chinese_calendar.holidays)


def china_year(year: int) -> YearData:
    """Holidays (weekdays off) and make-up working days of `year` on the Chinese calendar."""
    import chinese_calendar

    if year <= _official_last_year():
        days = []
        for day, name in sorted(chinese_calendar.holidays.items()):
            if day.year == year and day.weekday() < 5:
                days.append(DayOff(day, False, _NAMES_ZH.get(str(name), str(name))))
        for day, name in sorted(chinese_calendar.workdays.items()):
            if day.year == year and day.weekday() >= 5:
                days.append(DayOff(day, True, f"{_NAMES_ZH.get(str(name), str(name))}调休上班"))
        version = getattr(chinese_calendar, "__version__", "")
        return YearData(year, tuple(days), f"chinese_calendar {version}".strip(), complete=True)
    import holidays

    forecast = holidays.China(years=year, language="zh_CN")
    days = [DayOff(day, False, name) for day, name in sorted(forecast.items()) if day.weekday() < 5]
    return YearData(year, tuple(days), f"holidays {holidays.__version__}", complete=False)
