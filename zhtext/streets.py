"""Streets, roads and landmarks of Hangzhou: put a citizen's words on the map.

The table lives in ``zhtext/data/streets.yml`` (approximate WGS-84 coordinates, sample data to be
checked by an editor). :func:`locate` combines it with the district table of
:mod:`zhtext.places`:

- "西湖区文三路附近" → 西湖区, near 文三路 (the road's coordinates);
- "武林广场那边" → 拱墅区 (the landmark's district), near 武林广场;
- "西湖文化广场" → 拱墅区: a district name inside a longer place name ("西湖") does not count;
- "滨江" → 滨江区, at the district's centre (no place named).

Matching is by substring, longest name first, on text the gateway has already normalised.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

from zhtext.places import District, DistrictTable, default_table
from zhtext.yaml_fields import YamlFields

__all__ = [
    "DEFAULT_STREET_FILE",
    "Location",
    "Place",
    "PlaceKind",
    "PlaceMatch",
    "PlaceTable",
    "StreetFileError",
    "all_places",
    "default_place_table",
    "distance_km",
    "district_of",
    "find_place",
    "get_place",
    "locate",
]

DEFAULT_STREET_FILE = Path(__file__).resolve().parent / "data" / "streets.yml"

PlaceKind = Literal["street", "road", "landmark"]
_KINDS: tuple[str, ...] = get_args(PlaceKind)
_EARTH_RADIUS_KM = 6371.0088
# Hangzhou's bounding box with a margin: a coordinate outside it is a typo in the file.
_LAT_RANGE = (29.0, 30.8)
_LON_RANGE = (118.3, 120.8)


class StreetFileError(ValueError):
    """``streets.yml`` is malformed."""


_FIELDS = YamlFields(StreetFileError)


@dataclass(frozen=True)
class Place:
    """A street (街道 / 镇), road or landmark with its coordinates.

    Attributes:
        name: Standard name, e.g. "文三路".
        kind: "street", "road" or "landmark".
        district: Code of the district it lies in, e.g. "xihu".
        lat: Latitude (WGS-84).
        lon: Longitude (WGS-84).
        aliases: Other names citizens use ("城站" for 杭州站).
    """

    name: str
    kind: PlaceKind
    district: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        """Name and aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a text.

    Attributes:
        place: The place.
        matched: The name found in the text (may be an alias).
        start: Where the name starts in the (NFKC-normalised) text.
        end: Where it ends.
    """

    place: Place
    matched: str
    start: int
    end: int


@dataclass(frozen=True)
class Location:
    """Where a citizen wants to look, as far as their words say.

    Attributes:
        district: Code of the district meant, None when none or several are possible.
        place: The street or landmark named, if any.
        lat: Latitude of the place, else of the district's centre.
        lon: Longitude of the place, else of the district's centre.
        district_candidates: Codes of the districts meant when the citizen must choose
            ("江干区" was split in 2021).
    """

    district: str | None
    place: Place | None
    lat: float | None
    lon: float | None
    district_candidates: tuple[str, ...] = ()

    @property
    def needs_choice(self) -> bool:
        """True when several districts are possible and no place settles it."""
        return len(self.district_candidates) > 1


@dataclass(frozen=True)
class PlaceTable:
    """All places and district centres, with a matcher built from the names.

    Attributes:
        places: Places in file order.
        centres: District code → (lat, lon) of its centre.
    """

    places: tuple[Place, ...]
    centres: Mapping[str, tuple[float, float]]
    _by_name: Mapping[str, Place] = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Place] = {}
        for place in self.places:
            for name in place.all_names:
                if name in by_name:
                    raise StreetFileError(f"name {name!r} is used twice")
                by_name[name] = place
        pattern = "|".join(re.escape(name) for name in sorted(by_name, key=len, reverse=True))
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))
        object.__setattr__(self, "_pattern", re.compile(pattern))

    @classmethod
    def from_file(cls, path: Path, districts: DistrictTable | None = None) -> PlaceTable:
        """Load and check ``streets.yml`` against the district table.

        Raises:
            StreetFileError: When the file is not valid.
            OSError: When it cannot be read.
        """
        table = districts or default_table()
        return _FIELDS.load(path, lambda document: cls.from_document(document, table))

    @classmethod
    def from_document(cls, document: Any, districts: DistrictTable) -> PlaceTable:
        """Build the table from the parsed YAML document.

        Raises:
            StreetFileError: When a field is missing or wrong.
        """
        root = _FIELDS.mapping(document, "file")
        codes = frozenset(d.code for d in districts.districts)
        centres: dict[str, tuple[float, float]] = {}
        for code, centre in _FIELDS.mapping(root.get("centres"), "centres").items():
            if code not in codes:
                raise StreetFileError(f"centres: unknown district {code!r}")
            entry = _FIELDS.mapping(centre, f"centres.{code}")
            centres[str(code)] = _coordinates(entry, f"centres.{code}")
        missing = sorted(codes - set(centres))
        if missing:
            raise StreetFileError(f"centres: missing {', '.join(missing)}")
        places = tuple(
            _place(item, codes) for item in _FIELDS.entries(root.get("places"), "places")
        )
        district_names = {name for d in districts.districts for name in d.all_names}
        for place in places:
            clash = district_names.intersection(place.all_names)
            if clash:
                raise StreetFileError(f"places.{place.name}: {clash} is a district name")
        return cls(places, MappingProxyType(centres))

    def get(self, name: str) -> Place:
        """Return the place with this name or alias.

        Raises:
            KeyError: For an unknown name.
        """
        return self._by_name[name]

    def find(self, text: str) -> PlaceMatch | None:
        """Find the first place named in ``text`` (longest name wins at a position)."""
        cleaned = unicodedata.normalize("NFKC", text)
        found = self._pattern.search(cleaned)
        if found is None:
            return None
        return PlaceMatch(self._by_name[found.group(0)], found.group(0), found.start(), found.end())

    def centre(self, district: str) -> tuple[float, float]:
        """The (lat, lon) of a district's centre.

        Raises:
            KeyError: For an unknown district code.
        """
        return self.centres[district]

    def locate(self, text: str, districts: DistrictTable) -> Location | None:
        """Place the citizen's words: district and/or street or landmark.

        Args:
            text: E.g. "西湖区文三路附近", "武林广场那边", "下沙", "淳安".
            districts: The district table.

        Returns:
            The location, or None when the text names neither a district nor a place.
        """
        cleaned = unicodedata.normalize("NFKC", text)
        place_match = self.find(cleaned)
        district_match = districts.find(_blank_out(cleaned, place_match))
        if place_match is None and district_match is None:
            return None
        place = place_match.place if place_match else None
        candidates = tuple(d.code for d in district_match.candidates) if district_match else ()
        district = _chosen_district(candidates, place)
        if place is not None:
            return Location(district, place, place.lat, place.lon, candidates)
        if district is not None:
            lat, lon = self.centre(district)
            return Location(district, None, lat, lon, candidates)
        return Location(None, None, None, None, candidates)


def _blank_out(text: str, match: PlaceMatch | None) -> str:
    """Hide the place name so the district inside it ("西湖" in 西湖文化广场) is not matched."""
    if match is None:
        return text
    return text[: match.start] + " " * (match.end - match.start) + text[match.end :]


def _chosen_district(candidates: tuple[str, ...], place: Place | None) -> str | None:
    if place is not None and (not candidates or place.district in candidates):
        return place.district
    if len(candidates) == 1:
        return candidates[0]
    return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@cache
def default_place_table() -> PlaceTable:
    """The table from ``zhtext/data/streets.yml``, loaded once per process."""
    return PlaceTable.from_file(DEFAULT_STREET_FILE)


def find_place(text: str) -> PlaceMatch | None:
    """Find the first street, road or landmark named in ``text``."""
    return default_place_table().find(text)


def get_place(name: str) -> Place:
    """Return the place with this name or alias.

    Raises:
        KeyError: For an unknown name.
    """
    return default_place_table().get(name)


def all_places() -> tuple[Place, ...]:
    """Every place of the table, in file order."""
    return default_place_table().places


def locate(text: str) -> Location | None:
    """Place the citizen's words (see :meth:`PlaceTable.locate`)."""
    return default_place_table().locate(text, default_table())


def district_of(location: Location) -> District | None:
    """The district object of a location, when one district is meant."""
    if location.district is None:
        return None
    return default_table().get(location.district)


def _place(item: Any, codes: frozenset[str]) -> Place:
    entry = _FIELDS.mapping(item, "places[]")
    name = _FIELDS.text(entry, "name", "places[]")
    where = f"places.{name}"
    kind = _FIELDS.text(entry, "kind", where)
    if kind not in _KINDS:
        raise StreetFileError(f"{where}: kind must be one of {', '.join(_KINDS)}")
    district = _FIELDS.text(entry, "district", where)
    if district not in codes:
        raise StreetFileError(f"{where}: unknown district {district!r}")
    lat, lon = _coordinates(entry, where)
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise StreetFileError(f"{where}: aliases must be a list of names")
    return Place(
        name=name,
        kind=cast(PlaceKind, kind),  # checked against _KINDS above
        district=district,
        lat=lat,
        lon=lon,
        aliases=tuple(a.strip() for a in aliases),
    )


def _coordinates(entry: Mapping[Any, Any], where: str) -> tuple[float, float]:
    lat, lon = entry.get("lat"), entry.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        raise StreetFileError(f"{where}: lat and lon must be numbers")
    if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LON_RANGE[0] <= lon <= _LON_RANGE[1]):
        raise StreetFileError(f"{where}: ({lat}, {lon}) is outside Hangzhou")
    return float(lat), float(lon)
