"""Texas-Mexico: vehicles (and pedestrians) per crossing, mode and year."""
import collections, csv, re, sys

modes = {"Buses": "bus", "Commercial Trucks": "truck", "Passenger Vehicles": "car",
         "Pedestrians/ Bicyclists": "none", "Railcars": "rail"}
vehicles = collections.defaultdict(float)
persons = collections.defaultdict(float)
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        cp = re.sub("[^a-z0-9]+", "-", row["Crossing"].lower()).strip("-")
        mode = modes[row["Modes"]]
        key = (row["Year"], cp, mode)
        n = float(row["Northbound Crossing"].replace(",", ""))
        if mode == "none":
            persons[key] += n
            vehicles[key] += 0
        else:
            vehicles[key] += n
            persons[key] += 0
print("year,checkpoint,vehicle,vehicles,persons")
for key in sorted(vehicles):
    print(f"{key[0]},{key[1]},{key[2]},{vehicles[key]!r},{persons[key]!r}")
