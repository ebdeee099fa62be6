FILE=gaza_food_data.xlsx
# Four of the workbook's eighteen sheets, each with the mapping that
# docs/importing.md shows. trucks_to_north mixes two kinds of figure in
# n_trucks (unit says trucks or MT): imported once for each with --where.
import_all() {
  local passage=$1 file=$2
  "$passage" import flow "$file" --sheet trucks_to_north --where unit=truck \
    --map 'start=date_1,end=date_2,vehicles=n_trucks,operator=notes,unit=' \
    --set 'direction=in,vehicle=truck,checkpoint=gaza-north,source=lshtm' \
    --create-missing &&
  "$passage" import flow "$file" --sheet trucks_to_north --where unit=MT \
    --map 'start=date_1,end=date_2,quantity=n_trucks,operator=notes' \
    --set 'direction=in,category=food,checkpoint=gaza-north,source=lshtm' \
    --create-missing &&
  "$passage" import flow "$file" --sheet boats_airdrops \
    --map 'start=date,checkpoint=route,vehicle=route,quantity=kg' \
    --map 'operator=sender,note=notes,unit=,source=' \
    --values 'vehicle:air=aircraft,sea=ship' \
    --set 'direction=in,category=food,unit=kg' &&
  "$passage" import stock "$file" --sheet unrwa_stocks --where 'item!=Total' \
    --map note=item --set 'at=2024-04-01,category=food,scope=UNRWA' &&
  "$passage" import population "$file" --sheet pop_north \
    --map 'at=date,count=pop_north,note=source,source=' --set scope=north
}
FLOW=(--by month --measure vehicles,tonnes)
# The stocks and the population, each summed by expected.py too.
check_more() {
  local passage=$1 file=$2 work=$3
  "$passage" export stock --format csv | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print("stock,%d,%r" % (len(rows), sum(float(r["low"]) for r in rows)))' >"$work/got-more.csv"
  "$passage" export population --format csv | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print("population,%d,%r" % (len(rows), sum(float(r["low"]) for r in rows)))' >>"$work/got-more.csv"
  python3 "$here/$set_name/expected.py" "$file" --more >"$work/want-more.csv"
  diff "$work/want-more.csv" "$work/got-more.csv"
}
