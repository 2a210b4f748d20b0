#!/usr/bin/env python3
"""Derive the 所在地区 list (省 → 市) from an official division-code list.

Reads ``CODE NAME`` lines (GB/T 2260, as in ../shared/data/areacodes/YYYY.txt)
and writes the CSV that the directory app's data migration loads:

- province level: the 31 of the mainland (codes xx0000; Taiwan 71, Hong Kong
  81 and Macau 82 are left out), plus 新疆生产建设兵团 as an entry of its own;
- city level under them: every prefecture-level division (xxyy00); for the four
  municipalities (11, 12, 31, 50), which have no prefecture level, their
  districts and counties; the county-level units a province administers
  directly (xx90xx: 济源市, 仙桃市…); and the cities of 新疆生产建设兵团
  (6590xx), which go under 兵团 and not under 新疆.

Usage: scripts/derive_regions.py ../shared/data/areacodes/2020.txt 2020 > directory/data/regions-2020.csv
"""

import csv
import sys

MUNICIPALITIES = {"11", "12", "31", "50"}
LEFT_OUT = {"71", "81", "82"}
BINGTUAN_CODE = "660000"  # not a GB/T 2260 code: 兵团 has none; 66 is unused by the standard
BINGTUAN_NAME = "新疆生产建设兵团"
BINGTUAN_CITIES = "6590"


def derive(lines):
    provinces, cities = [], []
    for line in lines:
        if not line.strip():
            continue
        code, name = line.split(maxsplit=1)
        name = name.strip()
        prefix = code[:2]
        if prefix in LEFT_OUT:
            continue
        if code.endswith("0000"):
            provinces.append((code, name, "province", ""))
        elif code.startswith(BINGTUAN_CITIES):
            cities.append((code, name, "city", BINGTUAN_CODE))
        elif code.endswith("00") or prefix in MUNICIPALITIES or code[2:4] == "90":
            cities.append((code, name, "city", f"{prefix}0000"))
    provinces.append((BINGTUAN_CODE, BINGTUAN_NAME, "province", ""))
    return sorted(provinces), sorted(cities)


def main(path, year):
    with open(path, encoding="utf-8") as source:
        provinces, cities = derive(source)
    out = sys.stdout
    out.write(
        f"# 所在地区 (省 → 市) for the campaigns that use the {year} year-end division list.\n"
        f"# Source: GB/T 2260 administrative division codes as at {year}-12-31, published by the\n"
        "# Ministry of Civil Affairs, from the dataset yescallop/areacodes (CC0 1.0).\n"
        f"# Derived by scripts/derive_regions.py: {len(provinces)} province-level entries and "
        f"{len(cities)} city-level choices.\n"
        f"# {BINGTUAN_CODE} {BINGTUAN_NAME} is ours: the standard gives 兵团 no code.\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "level", "parent_code"])
    writer.writerows(provinces)
    writer.writerows(cities)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
