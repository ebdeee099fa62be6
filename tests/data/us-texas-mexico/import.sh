FILE=monthly_crossings_2008_2025.csv
# Each row is a whole month; 'count' is vehicles, or persons for pedestrians.
IMPORT=(--map 'start={Year}-{Month},checkpoint=Crossing,vehicle=Modes,count=Northbound Crossing'
        --values 'vehicle:Buses=bus,Commercial Trucks=truck,Passenger Vehicles=car,Pedestrians/ Bicyclists=none,Railcars=rail'
        --set 'direction=in,source=cbp' --create-missing)
FLOW=(--by year,checkpoint,vehicle --measure vehicles,persons)
