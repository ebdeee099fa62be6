"""Texas-Mexico: vehicles (and pedestrians) per crossing, mode and year.

Persons are known at a crossing in a year only where the file has a
pedestrian row for it that year (a count of vehicles says nothing of people
on foot: docs/analysis.md, "Unknown is not zero"); elsewhere they are
unknown, an empty cell. The file lists every mode with zeros up to 2024 but
only railcars at the rail bridges in 2025."""
import collections, csv, re, sys

modes = {"Buses": "bus", "Commercial Trucks": "truck", "Passenger Vehicles": "car",
         "Pedestrians/ Bicyclists": "none", "Railcars": "rail"}
vehicles = collections.defaultdict(float)
persons = collections.defaultdict(float)
walkers = set()  # (year, crossing) with a pedestrian row
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        cp = re.sub("[^a-z0-9]+", "-", row["Crossing"].lower()).strip("-")
        mode = modes[row["Modes"]]
        key = (row["Year"], cp, mode)
        n = float(row["Northbound Crossing"].replace(",", ""))
        if mode == "none":
            walkers.add((row["Year"], cp))
            persons[key] += n
            vehicles[key] += 0
        else:
            vehicles[key] += n
            persons[key] += 0
print("year,checkpoint,vehicle,vehicles,persons")
for key in sorted(vehicles):
    p = repr(persons[key]) if (key[0], key[1]) in walkers else ""
    print(f"{key[0]},{key[1]},{key[2]},{vehicles[key]!r},{p}")
