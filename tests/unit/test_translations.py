"""Every message the code marks for translation has a Vietnamese translation."""
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app/translations/vi/LC_MESSAGES/messages.po"
MO = ROOT / "app/translations/vi/LC_MESSAGES/messages.mo"


def test_every_marked_message_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "N_", "-k", "_l", "-o", str(pot), str(ROOT / "app")],
                   check=True, cwd=ROOT)
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
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
