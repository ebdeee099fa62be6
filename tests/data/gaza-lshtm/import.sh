FILE=gaza_food_trucks.csv
# The food_truck column is a modelled share, not an observation: not imported.
IMPORT=(--map 'start=date,vehicles=total_truck'
        --set 'direction=in,vehicle=truck,checkpoint=gaza-crossings,source=lshtm'
        --create-missing)
FLOW=(--by day --measure vehicles)
