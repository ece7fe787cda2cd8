"""Every message the code marks for translation has a Vietnamese translation."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app/translations/vi/LC_MESSAGES/messages.po"
MO = ROOT / "app/translations/vi/LC_MESSAGES/messages.mo"


def marked_messages() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "_l": None}
    found = extract_from_dir(str(ROOT / "app"), method_map=[("**.py", "python")], keywords=keywords)
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


def test_extraction_finds_the_marked_messages():
    assert "The resource was not found." in marked_messages()


def test_every_marked_message_is_translated():
    wanted = marked_messages()
    with PO.open("rb") as f:
        catalog = read_po(f)
    missing = sorted(m for m in wanted if m not in catalog or not catalog[m].string)
    assert missing == [], "add Vietnamese translations to messages.po, then scripts/i18n.sh"


def test_compiled_catalog_matches_the_po_file():
    with PO.open("rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id and m.string}
    with MO.open("rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert mo == po, "messages.mo is stale: run scripts/i18n.sh"
