#!/usr/bin/env python
"""How fast the 归口单位 autocomplete answers on the full directory.

    .venv/bin/python bench/autocomplete.py [--societies 300] [--requests 3000]

Builds a throw-away test database the way the tests do (SQLite in memory, or
a test_ copy of DATABASE_URL's PostgreSQL database), so that migrations load
the 32 省科协, the 449 city-level 科协 and the 部委; adds national societies
(about 200 exist; default 300), then sends a mix of realistic requests through
Django's whole stack in-process (URL routing, middleware, view, query, JSON)
and prints the latency percentiles. The baseline is the same endpoint asked
for a type it does not search, measured in the same run: the cost of the stack
without the search. Target (issue 3): under 20 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kepuri.settings")

import django

django.setup()

from django.conf import settings
from django.test import Client
from django.test.utils import setup_databases, setup_test_environment, teardown_databases

WORDS = [
    "物理",
    "化学",
    "生物",
    "天文",
    "地理",
    "气象",
    "海洋",
    "农业",
    "林业",
    "水利",
    "医学",
    "药学",
    "营养",
    "心理",
    "数学",
    "计算",
    "电子",
    "通信",
    "能源",
    "材料",
]
URL = "/directory/units/autocomplete/"


def add_societies(count):
    from directory.models import SupervisingUnit
    from directory.search import initials

    root = SupervisingUnit.objects.get(kind="cast")
    names = [f"中国{a}{b}学会{n}" for n, (a, b) in enumerate(zip(WORDS * 20, WORDS[3:] * 20, strict=False))][
        :count
    ]
    SupervisingUnit.objects.bulk_create(
        SupervisingUnit(
            name=name,
            short_name=name,
            kind="society",
            parent=root,
            initials=initials(name),
            full_initials=initials(name),
        )
        for name in names
    )
    return names


def requests(count, societies):
    from directory.models import Region, SupervisingUnit

    cities = list(Region.objects.cities().values_list("code", "name"))
    ministries = list(SupervisingUnit.objects.filter(kind="ministry").values_list("short_name", flat=True))
    rng = random.Random(2020)
    mix = []
    for _ in range(count):
        code, name = rng.choice(cities)
        kind = rng.choice(["city", "city", "provincial", "society", "society", "ministry"])
        if kind == "city":
            q = rng.choice([name[:1], name[:2], "", "kx"])
        elif kind == "provincial":
            q = rng.choice(["", name[:1], "科协"])
        elif kind == "society":
            q = rng.choice([rng.choice(societies)[2:4], rng.choice(WORDS)[:1], "zg", "学会"])
        else:
            q = rng.choice(ministries)[:1]
        mix.append({"type": kind, "region": code, "q": q})
    return mix


def percentiles(samples):
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": ordered[-1],
        "mean": statistics.mean(ordered),
    }


def timed(client, params_list):
    samples = []
    for params in params_list:
        start = time.perf_counter()
        response = client.get(URL, params)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--societies", type=int, default=300)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()

    setup_test_environment(debug=False)  # no query log: it would be the biggest thing in memory
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        from directory.models import SupervisingUnit

        societies = add_societies(args.societies)
        client = Client()
        mix = requests(args.requests, societies)
        baseline_mix = [{"type": "none", "region": p["region"], "q": p["q"]} for p in mix]
        timed(client, mix[:200])  # warm up
        search = percentiles(timed(client, mix))
        baseline = percentiles(timed(client, baseline_mix))
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(f"Directory: {SupervisingUnit.objects.count()} units ({engine}); {args.requests} requests each")
        print(f"{'':10}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}{'mean':>9}   (ms)")
        for label, figures in (("search", search), ("baseline", baseline)):
            print(f"{label:10}" + "".join(f"{figures[k]:9.2f}" for k in ("p50", "p90", "p99", "max", "mean")))
        print(
            f"search / baseline at p50: {search['p50'] / baseline['p50']:.2f}x; "
            f"p99 under 20 ms: {'yes' if search['p99'] < 20 else 'NO'}"
        )
    finally:
        teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
