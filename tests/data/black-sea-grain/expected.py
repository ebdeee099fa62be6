"""Black Sea Grain: voyages and tonnes per commodity, from the raw file."""
import collections, csv, re, sys

tonnes = collections.defaultdict(float)
ships = collections.defaultdict(int)
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        cat = re.sub("[^a-z0-9]+", "-", row["Commodity"].lower()).strip("-")
        tonnes[cat] += float(row["Tonnage"].replace(",", ""))
        ships[cat] += 1 if row["Status"] == "Outbound" else 0
print("category,vehicles,tonnes")
for cat in sorted(tonnes):
    print(f"{cat},{ships[cat]},{tonnes[cat]!r}")
