"""Where the curated sites are, for the sites map: the town or county each site's name gives,
at its internal point in the U.S. Census Bureau's 2023 Gazetteer files (places and counties,
https://www.census.gov/geographies/reference-files/time-series/geo/gazetteer-files.html),
rounded to two decimals (about a kilometre: the map shows states, not parcels). A site not
listed here is shown in the table but not on the map, and the page says so."""

from __future__ import annotations

from typing import Final

# site id -> (place the site's name gives, latitude, longitude)
PLACES: Final[dict[str, tuple[str, float, float]]] = {
    "abilene-site": ("Abilene, TX", 32.45, -99.74),
    "shackelford-site": ("Shackelford County, TX", 32.74, -99.35),
    "dona-ana-site": ("Doña Ana County, NM", 32.35, -106.83),
    "saline-site": ("Saline Township, MI", 42.17, -83.80),
    "port-washington-site": ("Port Washington, WI", 43.39, -87.88),
    "milam-site": ("Milam County, TX", 30.79, -96.98),
    "lordstown-site": ("Lordstown, OH", 41.17, -80.86),
    "memphis-site": ("Memphis, TN", 35.10, -89.98),
    "denton-site": ("Denton, TX", 33.22, -97.14),
}


def place(site_id: str) -> dict[str, object] | None:
    found = PLACES.get(site_id)
    if found is None:
        return None
    name, lat, lon = found
    return {"place": name, "lat": lat, "lon": lon}
