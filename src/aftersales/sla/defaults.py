"""The shipped calendars and policies of SPEC §4, installed by a data migration."""

import datetime

SERVICE_HOURS = "服务时间"
WORKING_HOURS = "工作时间"
AROUND_THE_CLOCK = "全天候"
FIRST_HOLIDAY_YEAR = 2024
LAST_HOLIDAY_YEAR = 2028

CALENDARS = [
    # name, English name, periods per weekday, always open, holiday region
    (SERVICE_HOURS, "Service hours", {d: [("08:00", "22:00")] for d in range(7)}, False, ""),
    (
        WORKING_HOURS,
        "Working hours",
        {d: [("09:00", "12:00"), ("13:00", "18:00")] for d in range(5)},
        False,
        "CN",
    ),
    (AROUND_THE_CLOCK, "24×7", {}, True, ""),
]

H = 60
# priority: (first response minutes, its calendar, resolution minutes, its calendar)
STANDARD = {
    "urgent": (1 * H, AROUND_THE_CLOCK, 24 * H, AROUND_THE_CLOCK),
    "high": (4 * H, SERVICE_HOURS, 16 * H, WORKING_HOURS),
    "medium": (8 * H, SERVICE_HOURS, 24 * H, WORKING_HOURS),
    "low": (24 * H, SERVICE_HOURS, 40 * H, WORKING_HOURS),
}
COMPLAINT = dict.fromkeys(STANDARD, (24 * H, AROUND_THE_CLOCK, 48 * H, AROUND_THE_CLOCK))
# Email is answered within 24 hours (seed 001): never later than that, faster when urgent.
EMAIL = {
    priority: (min(first, 24 * H), AROUND_THE_CLOCK if first >= 24 * H else cal, res, res_cal)
    for priority, (first, cal, res, res_cal) in STANDARD.items()
}
POLICIES = [
    # name, English name, order, conditions, targets
    ("投诉", "Complaints", 10, {"kinds": ["complaint"]}, COMPLAINT),
    ("电子邮件", "Email", 20, {"channels": ["email"]}, EMAIL),
    ("标准", "Standard", 100, {}, STANDARD),
]


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def install(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    from aftersales.sla.holidays_data import china_year

    Calendar = apps.get_model("sla", "Calendar")
    CalendarPeriod = apps.get_model("sla", "CalendarPeriod")
    CalendarException = apps.get_model("sla", "CalendarException")
    HolidayYear = apps.get_model("sla", "HolidayYear")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    calendars = {}
    for name, name_en, weekly, always_open, region in CALENDARS:
        calendar, created = Calendar.objects.get_or_create(
            name=name,
            defaults={"name_en": name_en, "always_open": always_open, "holiday_region": region},
        )
        calendars[name] = calendar
        if not created:
            continue
        for weekday, periods in weekly.items():
            for start, end in periods:
                CalendarPeriod.objects.create(
                    calendar=calendar, weekday=weekday, start=_time(start), end=_time(end)
                )
        if region == "CN":
            for year in range(FIRST_HOLIDAY_YEAR, LAST_HOLIDAY_YEAR + 1):
                data = china_year(year)
                for day in data.days:
                    CalendarException.objects.get_or_create(
                        calendar=calendar,
                        date=day.date,
                        defaults={"working": day.working, "name": day.name, "source": data.source},
                    )
                HolidayYear.objects.get_or_create(
                    calendar=calendar,
                    year=year,
                    defaults={"source": data.source, "complete": data.complete},
                )
    for name, name_en, order, conditions, targets in POLICIES:
        policy, created = SlaPolicy.objects.get_or_create(
            name=name, defaults={"name_en": name_en, "order": order, **conditions}
        )
        if not created:
            continue
        for priority, (first, first_cal, resolution, resolution_cal) in targets.items():
            SlaTarget.objects.create(
                policy=policy,
                priority=priority,
                first_response_minutes=first,
                first_response_calendar=calendars[first_cal],
                resolution_minutes=resolution,
                resolution_calendar=calendars[resolution_cal],
            )
