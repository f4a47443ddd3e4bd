"""Brussels-Capital Region postcodes and their commune (the 19 communes).

Several postcodes belong to the City of Brussels (Laeken, Neder-Over-Heembeek, Haren). Outside
the region the commune is left for the counsellor to type.
"""

BRUSSELS_COMMUNES = {
    "1000": "Bruxelles",
    "1020": "Bruxelles",  # Laeken
    "1030": "Schaerbeek",
    "1040": "Etterbeek",
    "1050": "Ixelles",
    "1060": "Saint-Gilles",
    "1070": "Anderlecht",
    "1080": "Molenbeek-Saint-Jean",
    "1081": "Koekelberg",
    "1082": "Berchem-Sainte-Agathe",
    "1083": "Ganshoren",
    "1090": "Jette",
    "1120": "Bruxelles",  # Neder-Over-Heembeek
    "1130": "Bruxelles",  # Haren
    "1140": "Evere",
    "1150": "Woluwe-Saint-Pierre",
    "1160": "Auderghem",
    "1170": "Watermael-Boitsfort",
    "1180": "Uccle",
    "1190": "Forest",
    "1200": "Woluwe-Saint-Lambert",
    "1210": "Saint-Josse-ten-Noode",
}


def commune_for(postcode: str) -> str:
    return BRUSSELS_COMMUNES.get((postcode or "").strip(), "")
