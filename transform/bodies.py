"""Who reported: the body's key and region, and which report of a body and
year is primary.  Pure functions (no Prefect, no GX).

A body's key is its name with its full region prefix as far as it is known,
in official names: 淮阴区人民政府办公室, 淮安市淮阴区人民政府办公室 and
淮阴区政府办 are all 江苏省淮安市淮阴区人民政府办公室.  The region comes from
the name the report gives (its agency), the fuller forms its title and prose
use for the same body (「本报告由淮安市淮阴区人民政府办公室…」), and the
gazetteer of cpca (province, city and county names with their adcodes), which
fills the levels a name leaves out when only one place bears it.  The
file's path (folders named 江苏省/淮安市/淮阴区, or a province in pinyin)
narrows a name several places bear, and gives the region only where the
text names none; it never overrules the text: where the two disagree the
region is null and the key keeps what the text says.
"""
from __future__ import annotations

import csv
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

# ------------------------------------------------------------------ gazetteer


@dataclass(frozen=True, slots=True)
class Place:
    """A place of the gazetteer: a province (city and county None), a city,
    or a county-level place.  A municipality (北京市) is its own city:
    Place("北京市", "北京市", None); a county-level city directly under its
    province (仙桃市) has no city."""
    province: str
    city: str | None
    county: str | None

    def names(self) -> tuple[str, ...]:
        """The official names from the top, each once (北京市朝阳区)."""
        out: list[str] = []
        for n in (self.province, self.city, self.county):
            if n and (not out or out[-1] != n):
                out.append(n)
        return tuple(out)

    def prefix(self) -> str:
        return "".join(self.names())

    def levels(self) -> tuple[str | None, str | None, str | None]:
        return (self.province, self.city, self.county)


# Provinces as crawlers name their folders.
PINYIN_PROVINCES = {
    "beijing": "11", "tianjin": "12", "hebei": "13", "shanxi": "14", "neimenggu": "15", "innermongolia": "15",
    "liaoning": "21", "jilin": "22", "heilongjiang": "23", "shanghai": "31", "jiangsu": "32", "zhejiang": "33",
    "anhui": "34", "fujian": "35", "jiangxi": "36", "shandong": "37", "henan": "41", "hubei": "42",
    "hunan": "43", "guangdong": "44", "guangxi": "45", "hainan": "46", "chongqing": "50", "sichuan": "51",
    "guizhou": "52", "yunnan": "53", "xizang": "54", "tibet": "54", "shaanxi": "61", "gansu": "62",
    "qinghai": "63", "ningxia": "64", "xinjiang": "65",
}
# Places created after the gazetteer's data was taken (cpca 0.5.5 predates
# these changes of 2017-2020): adcode -> name.
AMENDMENTS = {
    "330112": "临安区",      # 临安市 became a district of 杭州市 (2017)
    "430182": "宁乡市",      # 宁乡县 became a county-level city (2017)
}
# Names printed in place of the official one, often enough to be known
# (沭阳县 is widely printed 沐阳县, its own portal included): the place the
# official name names.
ALIASES = {"沐阳县": "沭阳县"}
# Rows that name a grouping, not a place.
_NOT_PLACES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_MUNICIPALITIES = {"11", "12", "31", "50"}


@dataclass(frozen=True)
class Gazetteer:
    by_name: dict[str, tuple[Place, ...]]     # a place's own (deepest) name -> the places bearing it
    provinces: dict[str, str]                 # two-digit code -> name
    longest: int


def _adcodes_csv() -> Path:
    """cpca's data file, found without importing cpca (whose import builds
    its matcher)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the gazetteer needs cpca (pip install cpca==0.5.5)")
    return Path(list(spec.submodule_search_locations)[0]) / "resources" / "adcodes.csv"


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    names: dict[str, str] = {}
    with open(_adcodes_csv(), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            names[row["adcode"][:6]] = row["name"].strip()
    names.update(AMENDMENTS)
    provinces = {code[:2]: n for code, n in names.items() if code.endswith("0000")}
    by_name: dict[str, list[Place]] = {}

    def add(name: str, place: Place) -> None:
        by_name.setdefault(name, []).append(place)

    for code, name in sorted(names.items()):
        if name in _NOT_PLACES:
            continue
        province = provinces.get(code[:2])
        if province is None:
            continue
        if code.endswith("0000"):
            if code[:2] in _MUNICIPALITIES:
                add(name, Place(name, name, None))
            else:
                add(name, Place(name, None, None))
        elif code.endswith("00"):
            add(name, Place(province, name, None))
        else:
            if code[:2] in _MUNICIPALITIES:
                city = province
            else:
                city = names.get(code[:4] + "00")
                city = None if city in _NOT_PLACES else city
            add(name, Place(province, city, name))
    for alias, official in ALIASES.items():
        by_name.setdefault(alias, []).extend(by_name.get(official, ()))
    return Gazetteer({k: tuple(v) for k, v in by_name.items()}, provinces, max(map(len, by_name)))


def resolve(chain: tuple[str, ...]) -> frozenset[Place]:
    """The places a chain of names (top down, the last the deepest) can be."""
    if not chain:
        return frozenset()
    places = gazetteer().by_name.get(chain[-1], ())
    above = set(chain[:-1])
    return frozenset(p for p in places if above <= set(p.names()[:-1]))


def _consistent(a: Place, b: Place) -> bool:
    """One place lies in the other (or they are the same)."""
    return all(x is None or y is None or x == y for x, y in zip(a.levels(), b.levels()))


def _common(places) -> Place | None:
    """The levels all places share, from the top; None when not even the
    province is shared."""
    levels = [p.levels() for p in places]
    if not levels:
        return None
    shared: list[str | None] = []
    for i in range(3):
        values = {lv[i] for lv in levels}
        if len(values) != 1:
            break
        shared.append(values.pop())
    if not shared or shared[0] is None:
        return None
    shared += [None] * (3 - len(shared))
    return Place(*shared)


# ------------------------------------------------------------------ names

_SPACES_RE = re.compile(r"\s+")
# Only well-known abbreviations, right after the region: 区政府 -> 区人民政府,
# 政府办 / 政府办公室 -> 人民政府办公室.
_ABBREVIATIONS = (
    (re.compile(r"^政府办公室"), "人民政府办公室"),
    (re.compile(r"^政府办(?![公事])"), "人民政府办公室"),
    (re.compile(r"^政府(?![办])"), "人民政府"),
)
# A body below the county: a town (镇, 乡) or a street office (街道), named first.
_SUB_COUNTY_RE = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道)(?:人民政府|政府|办事处|党委|$)")
# A name that starts with a bare level (区维稳信访工作办公室: 「the district's」).
_GENERIC_LEVELS = "省市区县旗"
_NOT_GENERIC = ("市场", "区域", "县域", "省级", "市级", "区级", "县级", "市民", "区块")


def clean_name(name: str) -> str:
    return _SPACES_RE.sub("", unicodedata.normalize("NFKC", name))


def normalise_body(body: str) -> str:
    """The body's own name (what follows its region) in full official words."""
    for pattern, full in _ABBREVIATIONS:
        new = pattern.sub(full, body, count=1)
        if new != body:
            return new
    return body


def _chain_at(text: str, i: int) -> tuple[list[str], int]:
    """The region names that follow one another from text[i] on, longest
    name first at each step; and where they end."""
    g = gazetteer()
    chain: list[str] = []
    while True:
        for n in range(min(g.longest, len(text) - i), 1, -1):
            if text[i:i + n] in g.by_name:
                chain.append(text[i:i + n])
                i += n
                break
        else:
            return chain, i


def _chain_before(text: str, j: int) -> list[str]:
    """The region names that end at text[j], read backwards."""
    g = gazetteer()
    chain: list[str] = []
    while True:
        for n in range(min(g.longest, j), 1, -1):
            if text[j - n:j] in g.by_name:
                chain.insert(0, text[j - n:j])
                j -= n
                break
        else:
            return chain


@dataclass(frozen=True, slots=True)
class Name:
    chain: tuple[str, ...]       # region names printed at its start
    generic: str | None          # a bare level instead (区维稳信访工作办公室 -> 区)
    body: str                    # the rest, abbreviations spelled out


@lru_cache(maxsize=1 << 14)
def split_name(name: str) -> Name:
    name = clean_name(name)
    chain, end = _chain_at(name, 0)
    rest = name[end:]
    generic = None
    if not chain and len(rest) > 1 and rest[0] in _GENERIC_LEVELS and rest[:2] not in _NOT_GENERIC:
        generic, rest = rest[0], rest[1:]
    return Name(tuple(_dedupe(chain)), generic, normalise_body(rest))


def _dedupe(chain) -> list[str]:
    out: list[str] = []
    for n in chain:
        if not out or out[-1] != n:
            out.append(n)
    return out


def _variants(body: str) -> tuple[str, ...]:
    """How a text may print a body's own name (the abbreviations undone)."""
    if body.startswith("人民政府办公室"):
        tail = body[len("人民政府办公室"):]
        return (body, "政府办公室" + tail, "政府办" + tail)
    if body.startswith("人民政府"):
        return (body, "政府" + body[len("人民政府"):])
    return (body,)


def _mentions(name: Name, text: str) -> list[frozenset[Place]]:
    """The places the text gives the same body where it names it with its
    region (「淮安市淮阴区人民政府办公室」 for 淮阴区政府办)."""
    found: list[frozenset[Place]] = []
    if not text or not name.body or not (name.chain or name.generic):
        return found
    for variant in _variants(name.body):
        start = 0
        while (i := text.find(variant, start)) != -1:
            start = i + 1
            chain = tuple(_dedupe(_chain_before(text, i)))
            if not chain:
                continue
            if name.chain and chain[-1] != name.chain[-1]:
                continue            # another body of the same kind (the city's office)
            if name.generic and not name.chain and not chain[-1].endswith(name.generic):
                continue
            places = resolve(chain)
            if places:
                found.append(places)
    return found


@lru_cache(maxsize=1 << 12)
def path_places(directory: str) -> frozenset[Place] | None:
    """The places a file's folders name (江苏省/淮安市/淮阴区, 江苏省淮安市,
    jiangsu/...); None when they name none, an empty set when the names do
    not fit together."""
    g = gazetteer()
    chain: list[str] = []
    for part in directory.replace("\\", "/").split("/"):
        part = clean_name(part)
        if not part:
            continue
        code = PINYIN_PROVINCES.get(part.lower())
        if code is not None:
            chain.append(g.provinces[code])
            continue
        names, end = _chain_at(part, 0)
        if names and end == len(part):
            chain.extend(names)
    chain = _dedupe(chain)
    return resolve(tuple(chain)) if chain else None


# ------------------------------------------------------------------ identify


@dataclass(frozen=True, slots=True)
class Body:
    agency_key: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None


NO_BODY = Body()


def identify(agency: str | None, text: str = "", source_path: str | None = None) -> Body:
    """The key and region of the body that reported.  agency: the name as
    the report gives it; text: its title and prose (where the body may be
    named more fully); source_path: the file's path (`/` separators)."""
    directory = source_path.rsplit("/", 1)[0] if source_path and "/" in source_path else ""
    from_path = path_places(directory) if directory else None
    if not agency:
        return NO_BODY
    name = split_name(agency)
    if name.chain:
        named = resolve(name.chain)
        if not named:
            return NO_BODY          # names that do not fit together: unsure
    else:
        named = None                # the name gives no place
    # a name one place bears: the text can only agree (or disagree, and then the name counts)
    mentions = _mentions(name, text) if named is None or len(named) > 1 else ()
    for places in mentions:
        narrowed = places if named is None else named & places
        if not narrowed:
            # the text gives the body two different places: only its name counts
            named = resolve(name.chain) if name.chain else None
            break
        named = narrowed

    if named is None:
        # the text names no place: the path's, if any
        region = _region(from_path)
        key = None
        if name.generic and from_path and len(from_path) == 1:
            (place,) = from_path
            if place.names()[-1].endswith(name.generic):
                key = place.prefix() + name.body
        elif _SUB_COUNTY_RE.match(name.body) and from_path and len(from_path) == 1:
            # a town or a street office (城关镇人民政府) is one body in its
            # county: the folders' county, when they name one, completes it
            (place,) = from_path
            if place.county is not None:
                key = place.prefix() + name.body
        return Body(key, *region)

    if from_path:
        fitting = frozenset(p for p in named if any(_consistent(p, q) for q in from_path))
        if not fitting:
            return Body(_key(named, name), None, None, None)    # text and path disagree
        named = fitting
    return Body(_key(named, name), *_region(named))


def key_is_certain(agency_key: str | None) -> bool:
    """The key names one place only: its region prefix resolves to a single
    place of the gazetteer.  A key that keeps what is certain of a name
    several places bear (和平区人民政府, 江苏省鼓楼区财政局) may stand for
    different bodies, so it is not enough to tell two reports are one body's."""
    if not agency_key:
        return False
    name = split_name(agency_key)
    return bool(name.chain) and len(resolve(name.chain)) == 1 and bool(name.body)


def _region(places) -> tuple[str | None, str | None, str | None]:
    if not places:
        return (None, None, None)
    if len(places) == 1:
        return next(iter(places)).levels()
    common = _common(places)
    return common.levels() if common else (None, None, None)


def _key(places: frozenset[Place], name: Name) -> str | None:
    if not name.body:
        return None
    if len(places) == 1:
        return next(iter(places)).prefix() + name.body
    # several places bear the name: what they share, then the names printed
    common = _common(places)
    shared = common.names() if common else ()
    deepest = next(iter(places)).names()[-1]
    printed = [n for n in name.chain if n not in shared] or [deepest]
    return "".join(_dedupe([*shared, *printed])) + name.body


# ------------------------------------------------------------------ primaries

_STATUS_RANK = {"ok": 0, "invalid": 1}


def completeness(reports: pd.DataFrame) -> pd.Series:
    """How complete each report is: its cells holding a figure, then its
    tables found."""
    cells = reports["cells_found"] if "cells_found" in reports else pd.Series(0, index=reports.index)
    tables = reports["tables_found"] if "tables_found" in reports else pd.Series(0, index=reports.index)
    return (pd.to_numeric(cells, errors="coerce").fillna(0).astype(float)
            + pd.to_numeric(tables, errors="coerce").fillna(0).astype(float) / 10)


def assign_primaries(reports: pd.DataFrame, completeness: pd.Series) -> pd.DataFrame:
    """One primary report per (agency_key, year) among the reports that are
    not rejected: the most complete, then ok over invalid, then the
    source_path that sorts first.  Returns a frame on reports' index with
    `primary` (bool: False for the others, for rejected reports and for
    reports without a key or year) and `primary_of` (the primary's
    report_id for the others of its body and year; null otherwise).
    Depends only on the rows given, not their order."""
    n = len(reports)
    primary = np.zeros(n, dtype=bool)
    primary_of = np.full(n, None, dtype=object)
    key = reports["agency_key"]
    year = pd.to_numeric(reports["year"], errors="coerce")
    status = reports["status"].astype(object)
    eligible = (key.notna() & year.notna() & status.notna() & (status != "rejected")).to_numpy(dtype=bool)
    if eligible.any():
        pos = np.flatnonzero(eligible)
        rows = list(zip(
            key.to_numpy(dtype=object)[pos],
            year.to_numpy(dtype=float)[pos],
            -pd.to_numeric(completeness, errors="coerce").fillna(0).to_numpy(dtype=float)[pos],
            [_STATUS_RANK.get(s, 2) for s in status.to_numpy(dtype=object)[pos]],
            reports["source_path"].astype(object).fillna("").to_numpy(dtype=object)[pos],
            reports["report_id"].astype(object).fillna("").to_numpy(dtype=object)[pos],
            pos,
        ))
        rows.sort()     # Python str order for the paths, not a locale's
        head: dict[tuple, str] = {}
        for k, y, _, _, _, rid, p in rows:
            if (k, y) not in head:
                head[(k, y)] = rid
                primary[p] = True
            else:
                primary_of[p] = head[(k, y)]
    return pd.DataFrame({
        "primary": pd.array(primary, dtype="boolean"),
        "primary_of": pd.array(primary_of, dtype="string"),
    }, index=reports.index)


def region_text(head: str | None, sections) -> str:
    """What of a report may name its body in full: the lines above its
    first section (title, opening sentence), the start of section 一 and the
    end of the last section (the signature)."""
    parts = [head or ""]
    if sections:
        parts.append(sections[0][2][:1000])
        parts.append(sections[-1][2][-300:])
    return "\n".join(parts)


def settle_primaries(version_dir) -> int:
    """Recompute `primary` and `primary_of` over every reports part of a
    version (carried and new rows alike, so that an incremental run gives
    what a fresh one gives) and rewrite the parts whose values changed.
    A part is rewritten to a new file and renamed over the old name: a part
    hard-linked from the previous version is never changed in place.
    Returns how many parts were rewritten."""
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = sorted((Path(version_dir) / "reports").glob("*.parquet"))
    columns = ["report_id", "source_path", "agency_key", "year", "status", "cells_found", "tables_found"]
    tables = [pq.read_table(p, columns=columns) for p in parts]
    if not tables:
        return 0
    frame = pa.concat_tables(tables).to_pandas()
    settled = assign_primaries(frame, completeness(frame))
    primary = pa.array(settled["primary"].to_numpy(dtype=object, na_value=None), type=pa.bool_())
    primary_of = pa.array(settled["primary_of"].to_numpy(dtype=object, na_value=None), type=pa.large_string())
    rewritten, start = 0, 0
    for part, t in zip(parts, tables):
        n = t.num_rows
        new_primary, new_of = primary.slice(start, n), primary_of.slice(start, n)
        start += n
        table = pq.read_table(part)
        if ("primary" in table.column_names and "primary_of" in table.column_names
                and table["primary"].combine_chunks().cast(pa.bool_()).equals(new_primary)
                and table["primary_of"].combine_chunks().cast(pa.large_string()).equals(new_of)):
            continue
        for name, values in (("primary", new_primary), ("primary_of", new_of)):
            i = table.schema.get_field_index(name)
            if i < 0:
                table = table.append_column(name, values)
            else:
                table = table.set_column(i, table.schema.field(i), values.cast(table.schema.field(i).type))
        tmp = part.with_name(part.name + ".settling")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, part)
        rewritten += 1
    return rewritten
