"""OSGB36 British National Grid eastings and northings to WGS84 longitude and latitude, in plain
Python: the standard transverse Mercator inverse (Airy 1830, OS national grid constants) and a
7-parameter Helmert transform. Accurate to a few metres, plenty for the 250 m cells of
``derive_hotspots.py`` and the crime sample of ``derive_crime_sample.py``."""

import math

AIRY_A, AIRY_B = 6377563.396, 6356256.909
WGS84_A, WGS84_B = 6378137.000, 6356752.3142
F0 = 0.9996012717
LAT0, LON0 = math.radians(49), math.radians(-2)
N0, E0 = -100_000, 400_000
# OSGB36 → WGS84: the published WGS84 → OSGB36 parameters with every sign reversed.
HELMERT = {
    "tx": 446.448,
    "ty": -125.157,
    "tz": 542.060,
    "s_ppm": -20.4894,
    "rx": 0.1502,
    "ry": 0.2470,
    "rz": 0.8421,
}


def _osgb36_latlon(easting, northing):
    """Inverse transverse Mercator on the Airy 1830 ellipsoid (OS 'A guide to coordinate systems')."""
    a, b = AIRY_A, AIRY_B
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    n2, n3 = n * n, n * n * n

    def meridional_arc(lat):
        d, s = lat - LAT0, lat + LAT0
        return (
            b
            * F0
            * (
                (1 + n + 5 / 4 * n2 + 5 / 4 * n3) * d
                - (3 * n + 3 * n2 + 21 / 8 * n3) * math.sin(d) * math.cos(s)
                + (15 / 8 * n2 + 15 / 8 * n3) * math.sin(2 * d) * math.cos(2 * s)
                - 35 / 24 * n3 * math.sin(3 * d) * math.cos(3 * s)
            )
        )

    lat, m = LAT0, 0.0
    while True:
        lat = (northing - N0 - m) / (a * F0) + lat
        m = meridional_arc(lat)
        if abs(northing - N0 - m) < 0.00001:
            break
    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * F0 / math.sqrt(1 - e2 * sin_lat**2)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin_lat**2) ** 1.5
    eta2 = nu / rho - 1
    sec = 1 / cos_lat
    vii = tan_lat / (2 * rho * nu)
    viii = tan_lat / (24 * rho * nu**3) * (5 + 3 * tan_lat**2 + eta2 - 9 * tan_lat**2 * eta2)
    ix = tan_lat / (720 * rho * nu**5) * (61 + 90 * tan_lat**2 + 45 * tan_lat**4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * tan_lat**2)
    xii = sec / (120 * nu**5) * (5 + 28 * tan_lat**2 + 24 * tan_lat**4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * tan_lat**2 + 1320 * tan_lat**4 + 720 * tan_lat**6)
    de = easting - E0
    lat_out = lat - vii * de**2 + viii * de**4 - ix * de**6
    lon_out = LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return lat_out, lon_out


def _to_cartesian(lat, lon, a, b, height=0.0):
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        (nu + height) * math.cos(lat) * math.cos(lon),
        (nu + height) * math.cos(lat) * math.sin(lon),
        ((1 - e2) * nu + height) * math.sin(lat),
    )


def _from_cartesian(x, y, z, a, b):
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        lat = math.atan2(z + e2 * nu * math.sin(lat), p)
    return lat, math.atan2(y, x)


def osgb36_to_wgs84(easting, northing):
    """(lon, lat) in WGS84 degrees for an OSGB36 national grid easting/northing (± a few metres)."""
    lat, lon = _osgb36_latlon(easting, northing)
    x, y, z = _to_cartesian(lat, lon, AIRY_A, AIRY_B)
    h = HELMERT
    s = h["s_ppm"] * 1e-6
    rx, ry, rz = (math.radians(h[k] / 3600) for k in ("rx", "ry", "rz"))
    x2 = h["tx"] + (1 + s) * x - rz * y + ry * z
    y2 = h["ty"] + rz * x + (1 + s) * y - rx * z
    z2 = h["tz"] - ry * x + rx * y + (1 + s) * z
    lat, lon = _from_cartesian(x2, y2, z2, WGS84_A, WGS84_B)
    return math.degrees(lon), math.degrees(lat)


def check_conversion():
    """Birmingham city centre's national grid point lands where the maps put it, or this stops."""
    lon, lat = osgb36_to_wgs84(406_740, 286_600)  # Birmingham city centre
    assert abs(lat - 52.479) < 0.002 and abs(lon - -1.902) < 0.002, (lon, lat)
    return lon, lat
