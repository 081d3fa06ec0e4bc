"""Find the commune and hamlet named in an SMS, against a gazetteer given as data.

The gazetteer maps each commune's stored name to its hamlets' stored names. Names are
matched word by word on comparison keys: short words (A, B, 1, Ấp, Vân) exactly, longer ones
with one typo; a name typed as one word ("minhhoa") also counts; a number in a name may be
written as a word ("ấp Ba", "ap mot" for Ấp 3, Ấp 1). A hamlet name without its final letter
("Minh Thuận" for A or B) names no hamlet, but still names the commune when all candidates
lie in one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from notifications.lexicon import key_of, osa_distance

Gazetteer = Mapping[str, Sequence[str]]  # commune name -> hamlet names, as stored

# Numbers written as words, by key (y -> i): "ấp Tư" is the usual name of Ấp 4.
_NUMBER_WORDS = {
    "mot": "1", "hai": "2", "ba": "3", "bon": "4", "tu": "4", "nam": "5", "sau": "6",
    "bai": "7", "tam": "8", "chin": "9", "muoi": "10",
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    commune: str | None
    hamlet: str | None
    used: frozenset[int]


@lru_cache(maxsize=65536)
def _word_distance(typed: str, name_word: str) -> int | None:
    if typed == name_word or (name_word.isdigit() and _NUMBER_WORDS.get(typed) == name_word):
        return 0
    if len(name_word) <= 3 or len(typed) < 3:
        return None
    return 1 if osa_distance(typed, name_word, 1) <= 1 else None


def _best_match(keys: list[str], name: list[str]) -> tuple[int, range] | None:
    """(distance, token indexes) of the closest occurrence of ``name`` in ``keys``."""
    best: tuple[int, range] | None = None
    size = len(name)
    for start in range(len(keys) - size + 1):
        total = 0
        for offset, word in enumerate(name):
            distance = _word_distance(keys[start + offset], word)
            if distance is None:
                break
            total += distance
        else:
            if best is None or total < best[0]:
                best = (total, range(start, start + size))
    joined = "".join(name)
    if size >= 2 and len(joined) >= 6:
        for index, key in enumerate(keys):
            if osa_distance(key, joined, 1) <= 1 and best is None:
                best = (1, range(index, index + 1))
    return best


def _names(gazetteer: Gazetteer) -> list[tuple[str, str, list[str]]]:
    """(commune, hamlet, hamlet name keys) for every hamlet."""
    return [
        (commune, hamlet, key_of(hamlet).split())
        for commune, hamlets in gazetteer.items()
        for hamlet in hamlets
    ]


def find_place(keys: list[str], gazetteer: Gazetteer, default_commune: str | None = None) -> Place:
    communes: list[tuple[int, str, range]] = []
    for commune in gazetteer:
        name = key_of(commune).split()
        found = _best_match(keys, name)
        if found is not None and (len(name) >= 2 or found[0] == 0):
            communes.append((found[0], commune, found[1]))
    named_commune = min(communes)[1] if communes else None
    used = set().union(*(r for _, _, r in communes)) if communes else set()

    hamlets: list[tuple[int, int, str, str, range]] = []
    partial: set[str] = set()
    for commune, hamlet, name in _names(gazetteer):
        found = _best_match(keys, name)
        if found is not None:
            hamlets.append((found[0], -len(name), commune, hamlet, found[1]))
        elif len(name) >= 3 and len(name[-1]) == 1:
            stem = _best_match(keys, name[:-1])
            if stem is not None:
                partial.add(commune)
                used.update(stem[1])
    preferred = named_commune or default_commune
    if preferred and any(h[2] == preferred for h in hamlets):
        hamlets = [h for h in hamlets if h[2] == preferred]
    if hamlets:
        best = min(hamlets)
        ties = [h for h in hamlets if h[:2] == best[:2] and h[2:4] != best[2:4]]
        if not ties:
            return Place(best[2], best[3], frozenset(used | set(best[4])))
    if named_commune:
        return Place(named_commune, None, frozenset(used))
    if len(partial) == 1:
        return Place(partial.pop(), None, frozenset(used))
    return Place(None, None, frozenset(used))
