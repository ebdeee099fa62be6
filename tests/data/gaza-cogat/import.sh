FILE=gaza_cogat_data_24sep2024.csv
IMPORT=(--map 'start=Date,checkpoint=Route,category=Classification,quantity=Aid (tons),operator=Donor'
        --set 'direction=in,unit=t,source=cogat' --create-missing)
FLOW=(--by month,category --measure tonnes)
