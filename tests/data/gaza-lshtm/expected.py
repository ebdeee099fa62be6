"""LSHTM: trucks per day, from the raw file."""
import csv, datetime, sys

print("day,vehicles")
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        day = datetime.datetime.strptime(row["date"], "%d %B %Y")
        print(f"{day:%Y-%m-%d},{float(row['total_truck'])!r}")
