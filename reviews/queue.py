"""The review queue at national scale: one reviewer's filtered queue, walked by keys, counted once.

The queue's order is what waits first, oldest first (``waiting_since``), then the
newest submissions; the activity's id breaks ties. Pages are walked by key (the
last row's ``waiting_since``, ``submitted_at`` and id, in the address as a
cursor), never by counting rows to skip, so the 2,000th page costs what the
first does. The order splits the queue into two segments — what waits, then
what does not (``waiting_since`` null) — and each is read with a bound on its
first column, so that PostgreSQL starts an index range scan at the key.

Counts (the total of a filtered queue, the 待审核 badge) are kept in the shared
cache under the generations of the reviewer's scope (``scope_generations``),
which every change of an activity in that scope moves on (``reviews.signals``):
a decision shows in the counts at once, and a queue nobody changes is counted once.

A page's rows carry each activity's views and shares (``shown_rows``). The flush that
adds them up (``audience.flush``, every few minutes, over any number of activities)
moves no generation on: that would drop every kept page of every scope each time. So a
kept page shows the views and shares as they were when it was made, at most ``KEPT_TTL``
old; the next change in the scope makes it again with the current ones.
"""

import hashlib
from datetime import UTC, datetime
from functools import cached_property
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import F, Q
from django.http import QueryDict

from activities.selectors import with_reach
from directory.models import SupervisingUnit
from kepuri import microcache

from . import access
from .filters import QUEUE_PARAMS, QueueFilter

PAGE_SIZE = 50
ORDER = (F("waiting_since").asc(nulls_last=True), F("submitted_at").desc(nulls_last=True), "pk")
REVERSED = (F("waiting_since").desc(nulls_first=True), F("submitted_at").asc(nulls_first=True), "-pk")
KEPT_TTL = 3600
NEIGHBOUR_COLUMNS = ("public_code", "name", "waiting_since", "submitted_at")


class Key(NamedTuple):
    """An activity's place in the queue's order."""

    waiting_since: datetime | None
    submitted_at: datetime | None
    pk: int

    @classmethod
    def of(cls, activity) -> "Key":
        return cls(activity.waiting_since, activity.submitted_at, activity.pk)

    def encode(self) -> str:
        """The cursor in an address: microseconds since the epoch (or ``n``), and the id."""

        def part(value):
            return "n" if value is None else str(int(value.timestamp() * 1_000_000))

        return f"{part(self.waiting_since)}.{part(self.submitted_at)}.{self.pk}"

    @classmethod
    def decode(cls, text: str | None) -> "Key | None":
        """The key of a cursor, or None for anything that is not one (the first page then)."""
        parts = (text or "").split(".")
        if len(parts) != 3:
            return None

        def instant(part):
            if part == "n":
                return None
            micro = int(part)
            return datetime.fromtimestamp(micro // 1_000_000, tz=UTC).replace(microsecond=micro % 1_000_000)

        try:
            return cls(instant(parts[0]), instant(parts[1]), int(parts[2]))
        except (ValueError, OverflowError, OSError):
            return None


def _waits(key: Key) -> bool:
    return key.waiting_since is not None


def _segment(waiting: bool) -> Q:
    return Q(waiting_since__isnull=not waiting)


def _beyond(key: Key, *, forward: bool) -> Q:
    """Rows of ``key``'s segment strictly after (``forward``) or before it in the queue's order.

    ``submitted_at`` runs newest first with nulls last; the segment's first column is
    bounded on its own (``>=`` / ``<=``), which gives the index a range to start from.
    """
    w, s, pk = key
    if s is None:
        later_s = (
            Q(pk__gt=pk, submitted_at__isnull=True)
            if forward
            else (Q(submitted_at__isnull=False) | Q(submitted_at__isnull=True, pk__lt=pk))
        )
    elif forward:
        later_s = Q(submitted_at__lt=s) | Q(submitted_at__isnull=True) | Q(submitted_at=s, pk__gt=pk)
    else:
        later_s = Q(submitted_at__gt=s) | Q(submitted_at=s, pk__lt=pk)
    if w is None:
        return Q(waiting_since__isnull=True) & later_s
    if forward:
        return Q(waiting_since__gte=w) & (Q(waiting_since__gt=w) | (Q(waiting_since=w) & later_s))
    return Q(waiting_since__lte=w) & (Q(waiting_since__lt=w) | (Q(waiting_since=w) & later_s))


# --- counts under the scope's generations ---------------------------------------------------


def scope_generations(unit: SupervisingUnit) -> list[str]:
    """The counters that move when anything in ``unit``'s decide or read set changes."""
    if unit.kind == SupervisingUnit.Kind.CAST:
        return ["reviews:gen:all"]
    keys = [f"reviews:gen:unit:{unit.pk}"]
    if unit.region_id is not None:
        keys.append(f"reviews:gen:region:{unit.region_id}")
    return keys


def activity_generations(owner_units, regions) -> set[str]:
    """The counters to move for an activity belonging to ``owner_units`` (its unit and those above)
    and located in ``regions`` (its city and province): every scope that may count it."""
    keys = {"reviews:gen:all"}
    keys.update(f"reviews:gen:unit:{pk}" for pk in owner_units if pk is not None)
    keys.update(f"reviews:gen:region:{pk}" for pk in regions if pk is not None)
    return keys


def move_on(keys) -> None:
    """Move each counter on (a missing one starts at 1), in one round trip."""
    microcache.next_generations(keys)


def kept(unit: SupervisingUnit, makers: dict) -> dict:
    """Each ``makers[name]()``, kept until anything in ``unit``'s scope changes: all of them read
    with the scope's counters in one round trip; only those missing or older are made again."""
    generations = scope_generations(unit)
    keys = {
        name: f"reviews:kept:{unit.pk}:{hashlib.blake2b(name.encode(), digest_size=12).hexdigest()}"
        for name in makers
    }
    found = cache.get_many([*keys.values(), *generations])
    current = tuple(found.get(g, 0) for g in generations)
    values, fresh = {}, {}
    for name, key in keys.items():
        value = found.get(key)
        if value is not None and value[0] == current:
            values[name] = value[1]
        else:
            values[name] = makers[name]()
            fresh[key] = (current, values[name])
    if fresh:
        cache.set_many(fresh, KEPT_TTL)
    return values


def counted(unit: SupervisingUnit, name: str, compute) -> int:
    """``compute()``, kept until anything in ``unit``'s scope changes (``kept`` of one)."""
    return kept(unit, {name: compute})[name]


# --- one reviewer's filtered queue -----------------------------------------------------------


class Page(NamedTuple):
    items: list
    previous: str  # cursors, "" at either end
    next: str


class Queue:
    """``unit``'s queue as filtered by ``data`` (the querystring): pages, count, neighbours."""

    def __init__(self, unit: SupervisingUnit, data: QueryDict, *, user, columns=()):
        self.unit = unit
        self.data = data
        self.columns = columns
        self.scope = "read" if data.get("scope") == "read" else "decide"
        # These states hold only what waits (待审核 always has ``waiting_since``): one segment to read.
        self.waiting_only = data.get("state", "waiting") in ("waiting", "pending", "change")
        self.user = user
        self.query = self._query(data)

    @cached_property
    def filters(self) -> QueueFilter:
        """The filters, built when first used (a page served from ``kept`` needs none)."""
        base = (
            access.read_set(self.unit, kept=True)
            if self.scope == "read"
            else access.decide_set(self.unit, kept=True)
        )
        return QueueFilter(self.data, queryset=base, unit=self.unit)

    @cached_property
    def rows(self):
        rows = self.filters.qs
        if self.columns:
            rows = rows.select_related("region__parent", "category").only(*self.columns)
        return rows

    @cached_property
    def shown_rows(self):
        """What a page reads: ``rows`` with each one's views and shares when it shows columns (one
        LEFT JOIN, on the page's rows only; never in a count)."""
        return with_reach(self.rows) if self.columns else self.rows

    def _query(self, data) -> str:
        """The filters as a querystring, in one order, empty values left out: links and cache keys."""
        query = QueryDict(mutable=True)
        for name in QUEUE_PARAMS:
            value = (data.get(name) or "").strip()
            if value and not (name == "scope" and value != "read"):
                query[name] = value
        return query.urlencode()

    # pages

    def page(self, *, after: str | None = None, before: str | None = None, size: int = PAGE_SIZE) -> Page:
        """A page after the cursor ``after`` (the first page without one), or before ``before``."""
        back_key = Key.decode(before) if before and not after else None
        if back_key is not None:
            items = self._walk(back_key, forward=False, limit=size + 1, rows=self.shown_rows)
            more_before = len(items) > size
            items = items[:size][::-1]
            return Page(items, Key.of(items[0]).encode() if more_before else "", _cursor_after(items))
        key = Key.decode(after)
        items = self._walk(key, forward=True, limit=size + 1, rows=self.shown_rows)
        more_after = len(items) > size
        items = items[:size]
        return Page(
            items,
            Key.of(items[0]).encode() if key is not None and items else "",
            Key.of(items[-1]).encode() if more_after else "",
        )

    def _walk(self, key: Key | None, *, forward: bool, limit: int, columns=(), rows=None) -> list:
        """Up to ``limit`` rows (of ``rows``, else ``self.rows``) beyond ``key`` in walking order,
        crossing into the next segment."""
        order = ORDER if forward else REVERSED
        if key is None:
            segments = [(True, Q()), (False, Q())] if forward else [(False, Q()), (True, Q())]
        else:
            this = _waits(key)
            segments = [(this, _beyond(key, forward=forward))]
            if this == forward:  # the waiting segment comes first: forward from it, or back from the rest
                segments.append((not this, Q()))
        rows = self.rows if rows is None else rows
        found = []
        for waiting, condition in segments:
            if self.waiting_only and not waiting:
                continue
            segment = rows.filter(_segment(waiting), condition).order_by(*order)
            if columns:
                segment = segment.only(*columns)
            found.extend(segment[: limit - len(found)])
            if len(found) >= limit:
                break
        return found

    # counts

    def total(self) -> int:
        return counted(self.unit, f"{self.query}|total", self.rows.count)

    def waiting_count_now(self) -> int:
        """The 待审核 badge: what waits in the decide set, whatever the filters (counted now)."""
        return access.waiting(access.decide_set(self.unit, kept=True)).count()

    def position(self, activity) -> int | None:
        """The activity's place in the filtered queue (1 for the first), or None when not in it."""
        key = Key.of(activity)
        before = _beyond(key, forward=False) & _segment(_waits(key))
        if not _waits(key):
            before |= _segment(True)
        # Two index reads (is it there; how many before it) rather than one query with both, which
        # PostgreSQL answers from the table's rows (10 ms for the 5,001st of 中国科协's queue, not 1).
        if not self.rows.filter(pk=activity.pk).exists():
            return None
        return self.rows.filter(before).count() + 1

    def neighbours(self, activity) -> tuple:
        """The rows just before and just after ``activity`` in the filtered queue (None at either end)."""
        key = Key.of(activity)
        previous = self._walk(key, forward=False, limit=1, columns=NEIGHBOUR_COLUMNS)
        following = self._walk(key, forward=True, limit=1, columns=NEIGHBOUR_COLUMNS)
        return (previous[0] if previous else None, following[0] if following else None)


def _cursor_after(items) -> str:
    return Key.of(items[-1]).encode() if items else ""


def of_request(request, unit, **kwargs) -> Queue:
    return Queue(unit, request.GET, user=request.user, **kwargs)
