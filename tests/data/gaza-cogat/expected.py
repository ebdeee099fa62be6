"""COGAT: tonnes per month and classification, from the raw file."""
import collections, csv, datetime, re, sys

tonnes = collections.defaultdict(float)
seen = set()
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        day = datetime.datetime.strptime(row["Date"].replace("Sept", "Sep"), "%d %b %Y")
        cat = re.sub("[^a-z0-9]+", "-", row["Classification"].lower()).strip("-")
        key = (day.strftime("%Y-%m"), cat)
        seen.add(key)
        value = row["Aid (tons)"].replace(",", "").strip()
        if value not in ("", "-"):  # '-' is no figure, not zero
            tonnes[key] += float(value)
print("month,category,tonnes")
for key in sorted(seen):
    print(f"{key[0]},{key[1]},{tonnes[key]!r}")
