FILE=bsgi_voyages_jcc_to_2023-03-17.csv
# 'Outbound +' rows add a second commodity to a voyage already counted.
IMPORT=(--map 'start=Departure,checkpoint=Departure port,category=Commodity,quantity=Tonnage,operator=Vessel name,vehicles=Status'
        --values 'vehicles:Outbound=1,Outbound +=0'
        --set 'direction=out,vehicle=ship,source=jcc' --create-missing)
FLOW=(--by category --measure vehicles,tonnes)
