"""The Vietnamese catalogue covers every UI string, and the committed .mo matches the .po."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).parents[3] / "web"
PO = WEB / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def _po() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


def _source_ids() -> set[str]:
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, keywords=KEYWORDS
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_ui_string_has_a_vietnamese_translation() -> None:
    catalogue = _po()
    translated = {m.id: m.string for m in catalogue if m.id}
    missing = sorted(i for i in _source_ids() if not translated.get(i))
    assert missing == [], f"add these to {PO} (pybabel update + translate): {missing}"


def test_placeholders_survive_translation() -> None:
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in _po():
        if message.id and message.string:
            assert sorted(pattern.findall(message.id)) == sorted(
                pattern.findall(str(message.string))
            ), message.id


def test_compiled_catalogue_is_up_to_date() -> None:
    source = _po()
    with MO.open("rb") as handle:
        compiled = read_mo(handle)
    expected = {m.id: m.string for m in source if m.id and m.string}
    actual = {m.id: m.string for m in compiled if m.id}
    assert actual == expected, "run: pybabel compile -d web/translations"
    buffer = BytesIO()
    write_mo(buffer, source)  # compiling must work on a fresh clone too
    assert buffer.getvalue()
