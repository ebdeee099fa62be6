"""Compares two CSV tables: same header, same keys, numbers equal to 1e-6,
unknown (an empty cell) where the other says unknown."""
import csv
import sys


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


want_head, want = load(sys.argv[1])
got_head, got = load(sys.argv[2])
if want_head != got_head:
    sys.exit(f"header differs: want {want_head}, got {got_head}")
nkeys = sum(1 for h in want_head if h not in ("records", "vehicles", "persons", "tonnes"))
w = {tuple(r[:nkeys]): r[nkeys:] for r in want}
g = {tuple(r[:nkeys]): r[nkeys:] for r in got}
bad = 0
for key in sorted(set(w) | set(g)):
    a, b = w.get(key), g.get(key)
    if a is None or b is None:
        print(f"{key}: want {a}, got {b}")
        bad += 1
        continue
    for x, y in zip(a, b):
        if x == "" or y == "":  # unknown: both must say so
            if x != y:
                print(f"{key}: want {a}, got {b}")
                bad += 1
                break
            continue
        if abs(float(x) - float(y)) > 1e-6 * max(1.0, abs(float(x))):
            print(f"{key}: want {a}, got {b}")
            bad += 1
            break
print(f"{len(w)} rows compared, {bad} differ")
sys.exit(1 if bad else 0)
