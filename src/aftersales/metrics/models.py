"""Daily rollups of the measures' additive parts (see `metrics/rollups.py`).

A rollup is a cache of `measures.tallies` for one service day, kept per *cube* (a set of
dimensions). It is only read for a day whose `RolledDay` matches the current fingerprint
and that no `StaleDay` touches; every other day is read from the requests themselves, so
the figures are the same with or without rollups.
"""

from django.db import models


class MeasureRollup(models.Model):
    """The parts of the measures for one service day, one cube and one key of that cube.

    The dimensions outside the cube are null. `scope_team` is the request's team in the
    scoped cubes' rows (what a supervisor's scope filters on); `team` is the team as the
    measures group by it (for score answers: the team recorded with the answer).
    `whole_month`: the sum of the daily rows of the month starting on `day` (a `RolledMonth`
    says it is there)."""

    day = models.DateField()
    whole_month = models.BooleanField(default=False)
    cube = models.CharField(max_length=40)
    scope_team = models.BigIntegerField(null=True)
    team = models.BigIntegerField(null=True)
    person = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=20, null=True)
    kind = models.CharField(max_length=20, null=True)
    category = models.CharField(max_length=20, null=True)
    priority = models.CharField(max_length=10, null=True)
    product_model = models.BigIntegerField(null=True)
    batch = models.CharField(max_length=100, null=True)

    received = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    received_done = models.IntegerField(default=0)
    complaints = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    first_time_fixed = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    first_response_targets = models.IntegerField(default=0)
    first_response_met = models.IntegerField(default=0)
    resolution_targets = models.IntegerField(default=0)
    resolution_met = models.IntegerField(default=0)
    resolution_timed = models.IntegerField(default=0)
    resolution_seconds = models.BigIntegerField(default=0)
    first_responses = models.IntegerField(default=0)
    first_response_seconds = models.BigIntegerField(default=0)
    csat_answers = models.IntegerField(default=0)
    csat_satisfied = models.IntegerField(default=0)
    csat_score_sum = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["cube", "day"], name="rollup_cube_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.cube}"


class RolledDay(models.Model):
    """A service day whose rollups were built, and under which time zone and calendars."""

    day = models.DateField(primary_key=True)
    fingerprint = models.CharField(max_length=64)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.day)


class RolledMonth(models.Model):
    """A month (its first day) whose rows summing its days were made from the daily rows as
    they are: rebuilding any of its days removes them."""

    month = models.DateField(primary_key=True)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class StaleDay(models.Model):
    """A UTC date on which a request's, response's or answer's measured times fell, written
    by database triggers whenever such a row changes (whatever wrote it: the ORM, bulk
    updates, imports, the seeding). `version` grows with each change, so a rebuild that read
    the rows before a change does not clear the mark of that change."""

    day = models.DateField(primary_key=True)
    version = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.day} v{self.version}"
