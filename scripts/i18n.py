"""Updates the Vietnamese catalog from the messages marked in the code, compiles it.

    .venv/bin/python scripts/i18n.py

1. mark English messages with N_("...") (or _l) in the code;
2. run this script: new messages join messages.po with an empty msgstr and are listed;
3. write their Vietnamese msgstr in app/translations/vi/LC_MESSAGES/messages.po;
4. run it again: messages.mo is compiled. Commit both files.
Messages no longer in the code are dropped.
"""
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app/translations/vi/LC_MESSAGES/messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_l": None}


def marked_messages() -> set[str]:
    found = extract_from_dir(str(ROOT / "app"), method_map=[("**.py", "python")], keywords=KEYWORDS)
    return {message for _f, _l, message, _c, _ctx in found if isinstance(message, str)}


def main() -> int:
    with PO.open("rb") as f:
        old = read_po(f, locale="vi")
    catalog = Catalog(locale="vi", project="smart-province", fuzzy=False)
    for message_id in sorted(marked_messages()):
        existing = old.get(message_id)
        catalog.add(message_id, existing.string if existing else "")
    with PO.open("wb") as f:
        write_po(f, catalog, sort_output=True, no_location=True, omit_header=False)
    with PO.with_suffix(".mo").open("wb") as f:
        write_mo(f, catalog)
    missing = [m.id for m in catalog if m.id and not m.string]
    for message_id in missing:
        print(f"untranslated: {message_id}")
    print(f"{len(catalog) - len(missing)} of {len(catalog)} messages translated")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
