"""Keyword search that finds two-character Chinese words (节水, 科普) with an index.

Trigram indexes cannot serve two characters, and word segmentation misses
words it does not know (a host's name). So an activity's searchable text
(name, organisation, hosts) is kept as its overlapping character pairs —
"节水科普" → "节水 水科 科普" — in ``Activity.search_text``, and on PostgreSQL a
GIN index on ``to_tsvector('simple', search_text)`` answers a keyword as the
phrase of its pairs ("节水 <-> 水科 <-> 科普"): exactly the activities whose
text contains the keyword, without scanning the table. Elsewhere (SQLite),
and for one-character keywords, the pairs are looked for in a row in the text.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

_WORD = re.compile(r"[^\W_]+")
MAX_KEYWORD = 50  # what is typed beyond it is not looked for


def _runs(text: str) -> list[str]:
    """Letters, digits and CJK characters in runs, lower-cased and NFKC-folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").lower())


def pairs(text: str) -> list[str]:
    """The overlapping character pairs of each run (a one-character run stands alone)."""
    out = []
    for run in _runs(text):
        out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return out


def search_text(*texts: str) -> str:
    """The value of ``Activity.search_text`` for these texts (pairs separated by spaces)."""
    return " ".join(pair for text in texts for pair in pairs(text))


def refresh(activity) -> None:
    """Recompute ``activity.search_text`` from what the public sees (not saved)."""
    activity.search_text = search_text(activity.name, activity.org_name, *activity.hosts)


def matches(keyword: str) -> Q:
    """A filter for activities whose name, organisation or a host contains ``keyword``."""
    keyword = unicodedata.normalize("NFKC", keyword).strip().lower()[:MAX_KEYWORD]
    runs = _runs(keyword)
    if connection.vendor == "postgresql" and runs and all(len(run) >= 2 for run in runs):
        phrase = " & ".join("(" + " <-> ".join(pairs(run)) + ")" for run in runs)
        return Q(
            RawSQL(
                "to_tsvector('simple', activities_activity.search_text) @@ to_tsquery('simple', %s)",
                [phrase],
                output_field=BooleanField(),
            )
        )
    # Without the index: the pairs of each run appear in a row in search_text (a scan, same answer).
    q = Q()
    for run in runs:
        q &= Q(search_text__contains=" ".join(pairs(run)))
    return q


FEW = 2000  # matches looked up by id; more fill a page from the list's own order at once


def matching(keyword: str) -> Q:
    """``matches(keyword)``, turned into the ids it finds when they are few.

    A list walks its order index and tests each row against the keyword until a page
    is full: at once for a common word, through the whole table for a rare one (half a
    second at 500,000 activities). Asked first, the pair index finds a rare word's few
    activities, and the list looks them up by id; a common word keeps the walk.
    """
    from .models import Activity  # the models module does not import this one's callers

    words = matches(keyword)
    found = list(Activity.all_objects.filter(words).values_list("pk", flat=True)[: FEW + 1])
    return Q(pk__in=found) if len(found) <= FEW else words
