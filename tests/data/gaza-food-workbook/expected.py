"""The Gaza food workbook: totals from the raw .xlsx, read with zipfile and
xml.etree alone (no spreadsheet library, nothing of Passage's).

trucks_to_north: a row is trucks (unit 'truck') or tonnes (unit 'MT') over
the days date_1..date_2 inclusive, spread evenly over them; boats_airdrops:
kg / 1000 tonnes on its date, where kg is given. Serial dates count days
from 1899-12-30 (the 1900 date system; all are past 1900-03-01). A class
no record of a month gives is unknown (an empty cell), never 0: trucks
rows give vehicles, MT rows and boats with kg give tonnes
(docs/analysis.md, coverage per class)."""
import collections
import datetime
import sys
import xml.etree.ElementTree as ET
import zipfile

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def sheets(path):
    z = zipfile.ZipFile(path)
    strings = [''.join(t.text or '' for t in si.iter(M + "t")
                       if t not in list(si.iter(M + "rPh")))
               for si in ET.fromstring(z.read("xl/sharedStrings.xml"))]
    rels = {r.get("Id"): r.get("Target") for r in
            ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    out = {}
    for s in ET.fromstring(z.read("xl/workbook.xml")).iter(M + "sheet"):
        xml = ET.fromstring(z.read("xl/" + rels[s.get(R + "id")]))
        rows = []
        for row in xml.iter(M + "row"):
            cells = {}
            for c in row.iter(M + "c"):
                v = c.find(M + "v")
                if v is None:
                    continue
                col = ''.join(ch for ch in c.get("r") if ch.isalpha())
                cells[col] = strings[int(v.text)] if c.get("t") == "s" \
                    else v.text
            rows.append(cells)
        head = {col: name.strip() for col, name in rows[0].items()}
        out[s.get("name")] = [{head[k]: v for k, v in r.items() if k in head}
                              for r in rows[1:]]
    return out


def day(serial):
    return datetime.date(1899, 12, 30) + datetime.timedelta(days=float(serial))


def main():
    book = sheets(sys.argv[1])
    if "--more" in sys.argv:
        st = [r for r in book["unrwa_stocks"] if r.get("item") != "Total"]
        print("stock,%d,%r" % (len(st), sum(float(r["quantity"]) for r in st)))
        pop = book["pop_north"]
        print("population,%d,%r" % (len(pop),
                                    sum(float(r["pop_north"]) for r in pop)))
        return
    veh = collections.defaultdict(float)
    ton = collections.defaultdict(float)
    for r in book["trucks_to_north"]:
        a, b = day(r["date_1"]), day(r["date_2"])
        n = (b - a).days + 1
        for k in range(n):
            month = (a + datetime.timedelta(days=k)).strftime("%Y-%m")
            share = float(r["n_trucks"]) / n
            if r["unit"].strip() == "truck":
                veh[month] += share
            elif r["unit"].strip() == "MT":
                ton[month] += share
    for r in book["boats_airdrops"]:
        if "kg" in r:
            month = day(r["date"]).strftime("%Y-%m")
            ton[month] += float(r["kg"]) / 1000
    print("month,vehicles,tonnes")
    for month in sorted(set(veh) | set(ton)):
        v = repr(veh[month]) if month in veh else ""
        t = repr(ton[month]) if month in ton else ""
        print(f"{month},{v},{t}")


main()
