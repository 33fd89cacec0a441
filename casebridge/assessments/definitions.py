"""Instrument definitions: one JSON file per instrument and version in instruments/, read once
and checked for shape. Code interprets them; adding an instrument needs no code change.

Every version stays: a completed instrument is read back against the version it was given on.
A change of wording or of skip logic is a new version (a new file), never an edit of an old one.
Each definition names its source, the edition it follows and where its item wording comes from.
"""

import itertools
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

INSTRUMENT_DIR = Path(__file__).parent / "instruments"


@dataclass(frozen=True)
class Option:
    value: int
    label: str


# One condition of skip logic: (an earlier item, the lowest answer to it that asks this one).
Condition = tuple[str, int]


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    options: tuple[Option, ...]
    reverse: bool = False
    loinc: str | None = None
    # Skip logic: this item is asked only when any of these conditions holds. In the JSON either
    # {"item": "2", "at_least": 1} or {"any_of": [{"item": "2", "at_least": 1}, ...]}: the AUDIT
    # asks 4-8 unless 2 and 3 are both 0, i.e. when 2 is at least 1 or 3 is at least 1.
    ask_if: tuple[Condition, ...] | None = None

    def is_asked(self, answers: dict[str, int]) -> bool:
        """Asked given the answers kept so far; a question not asked (or not answered) counts 0."""
        if self.ask_if is None:
            return True
        return any(answers.get(other, 0) >= at_least for other, at_least in self.ask_if)

    @property
    def values(self) -> set[int]:
        return {option.value for option in self.options}

    def points(self, value: int) -> int:
        """The points an answer scores; reversed items score from the other end."""
        if self.reverse:
            return max(self.values) + min(self.values) - value
        return value


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    label: str
    plain: str


@dataclass(frozen=True)
class ContextQuestion:
    id: str
    label: str
    help: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    name: str
    plain_name: str
    stem: str
    # The publication the scoring follows, the edition, and where the item wording is taken from.
    source: str
    edition: str
    wording: str
    licence: str
    loinc_panel: str | None
    loinc_total: str | None
    items: tuple[Item, ...]
    scores: dict[str, tuple[str, ...]]
    score_labels: dict[str, str]
    primary: str | None
    bands: tuple[Band, ...]
    positive: dict[str, Any] | None
    safety: tuple[dict[str, Any], ...]
    change: dict[str, int] = field(default_factory=dict)
    # Risk levels for instruments with no total (first matching level wins).
    levels: tuple[tuple[Band, tuple[tuple[str, int], ...]], ...] = ()
    higher_is_better: bool = False
    # Plain-words notes on sub-scores past a published cut-off (e.g. the BAM's risk of 12 or more).
    score_notes: tuple[dict[str, Any], ...] = ()
    context: tuple[ContextQuestion, ...] = ()
    every_days_default: int = 90
    # Answers that cannot both be true: (item, item it may not exceed, what to say), e.g. the
    # BAM's heavy-drinking days can be no more than its drinking days.
    consistency: tuple[tuple[str, str, str], ...] = ()

    def item(self, item_id: str) -> Item:
        return next(item for item in self.items if item.id == item_id)

    def score_range(self, score: str) -> tuple[int, int]:
        items = [self.item(i) for i in self.scores[score]]
        return (
            sum(min(item.points(v) for v in item.values) for item in items),
            sum(max(item.points(v) for v in item.values) for item in items),
        )

    def band_for(self, value: int) -> Band | None:
        return next((band for band in self.bands if band.min <= value <= band.max), None)


class DefinitionError(ValueError):
    pass


def _ask_if(raw: dict[str, Any] | None) -> tuple[Condition, ...] | None:
    if not raw:
        return None
    rules = raw.get("any_of", [raw])
    return tuple((str(rule["item"]), int(rule["at_least"])) for rule in rules)


def parse(raw: dict[str, Any]) -> Instrument:
    option_sets = raw.get("option_sets", {})
    items = []
    for item in raw["items"]:
        options = item["options"]
        if isinstance(options, str):
            options = option_sets[options]
        items.append(
            Item(
                id=str(item["id"]),
                text=item["text"],
                options=tuple(Option(int(o["value"]), o["label"]) for o in options),
                reverse=bool(item.get("reverse", False)),
                loinc=item.get("loinc"),
                ask_if=_ask_if(item.get("ask_if")),
            )
        )
    instrument = Instrument(
        code=raw["code"],
        version=str(raw["version"]),
        name=raw["name"],
        plain_name=raw.get("plain_name", raw["name"]),
        stem=raw.get("stem", ""),
        source=raw["source"],
        edition=raw["edition"],
        wording=raw["wording"],
        licence=raw["licence"],
        loinc_panel=(raw.get("loinc") or {}).get("panel"),
        loinc_total=(raw.get("loinc") or {}).get("total"),
        items=tuple(items),
        scores={name: tuple(str(i) for i in spec["items"]) for name, spec in raw["scores"].items()},
        score_labels={name: spec.get("label", name) for name, spec in raw["scores"].items()},
        primary=raw.get("primary"),
        bands=tuple(Band(**band) for band in raw.get("bands", [])),
        positive=raw.get("positive"),
        safety=tuple(raw.get("safety", [])),
        change=raw.get("change", {}),
        context=tuple(
            ContextQuestion(
                id=c["id"],
                label=c["label"],
                help=c.get("help", ""),
                options=tuple((o["value"], o["label"]) for o in c["options"]),
            )
            for c in raw.get("context", [])
        ),
        every_days_default=int(raw.get("every_days_default", 90)),
        levels=tuple(
            (
                Band(min=0, max=0, label=level["label"], plain=level["plain"]),
                tuple((str(rule["item"]), int(rule["at_least"])) for rule in level["any_of"]),
            )
            for level in raw.get("levels", [])
        ),
        higher_is_better=bool(raw.get("higher_is_better", False)),
        score_notes=tuple(raw.get("score_notes", [])),
        consistency=tuple(
            (str(rule["item"]), str(rule["at_most_item"]), rule["message"])
            for rule in raw.get("consistency", [])
        ),
    )
    _check(instrument)
    return instrument


def _check(instrument: Instrument) -> None:
    """Refuse a definition whose parts do not fit together."""
    ids = [item.id for item in instrument.items]
    if len(ids) != len(set(ids)):
        raise DefinitionError(f"{instrument.code}: item ids repeat")
    if not (
        instrument.source.strip() and instrument.edition.strip() and instrument.wording.strip()
    ):
        raise DefinitionError(f"{instrument.code}: name the source, edition and item wording")
    for position, item in enumerate(instrument.items):
        for other, _ in item.ask_if or ():
            # Skip logic looks back only: a form asks in order, and scoring reads in order.
            if other not in ids[:position]:
                raise DefinitionError(
                    f"{instrument.code}: item {item.id} is asked after {other}, not an earlier item"
                )
    for item_id, other, _ in instrument.consistency:
        if {item_id, other} - set(ids):
            raise DefinitionError(f"{instrument.code}: a consistency rule names unknown items")
    for name, item_ids in instrument.scores.items():
        unknown = set(item_ids) - set(ids)
        if unknown:
            raise DefinitionError(f"{instrument.code}: score {name} names unknown items {unknown}")
    if instrument.primary and instrument.bands:
        low, high = instrument.score_range(instrument.primary)
        covered = sorted((band.min, band.max) for band in instrument.bands)
        if covered[0][0] != low or covered[-1][1] != high:
            raise DefinitionError(f"{instrument.code}: bands must cover {low}-{high}")
        for (_, end), (start, _) in itertools.pairwise(covered):
            if start != end + 1:
                raise DefinitionError(f"{instrument.code}: bands leave a gap or overlap at {end}")


@cache
def all_versions() -> dict[tuple[str, str], Instrument]:
    """Every version of every instrument, by (code, version)."""
    found: dict[tuple[str, str], Instrument] = {}
    for path in sorted(INSTRUMENT_DIR.glob("*.json")):
        instrument = parse(json.loads(path.read_text(encoding="utf-8")))
        key = (instrument.code, instrument.version)
        if key in found:
            raise DefinitionError(
                f"{path.name}: {instrument.code} version {key[1]} is defined twice"
            )
        found[key] = instrument
    return found


@cache
def all_instruments() -> dict[str, Instrument]:
    """Every instrument, by code (the newest version of each): what is given from now on."""
    found: dict[str, Instrument] = {}
    for instrument in all_versions().values():
        current = found.get(instrument.code)
        if current is None or int(instrument.version) > int(current.version):
            found[instrument.code] = instrument
    return found


def definition_of(code: str, version: str) -> Instrument | None:
    """The version a completed instrument was given on, to read it back as it was asked."""
    return all_versions().get((code, version))


def instrument(code: str) -> Instrument:
    try:
        return all_instruments()[code]
    except KeyError:
        raise DefinitionError(f"No instrument called {code!r}") from None
