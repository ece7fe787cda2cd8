"""Rebuilds `common_passwords.txt.gz`, the list of common and breached passwords.

    pip download --no-deps django==5.2.19 zxcvbn==4.5.0 -d /tmp/pw
    python app/identity/data/build_common_passwords.py /tmp/pw

Sources, both from PyPI packages:
- Django's `django/contrib/auth/common-passwords.txt.gz` (BSD licence): about
  20,000 passwords compiled by Royce Williams from breach corpora;
- zxcvbn's `passwords` frequency list (MIT licence): the 30,000 most frequent
  passwords of Mark Burnett's 10-million-password corpus (xato.net).
Plus a few passwords common among Vietnamese users. Only passwords of 8
characters or more are kept (shorter ones fail the length rule anyway); all
lowercase, one per line, sorted.
"""
import ast
import gzip
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VIETNAMESE = ("anhyeuem", "emyeuanh", "matkhau", "matkhau123", "vietnam123", "iloveyou",
              "yeuemnhieu", "anhyeuem123", "saigon123", "hanoi123", "12345678a", "123456789a")
MIN_LENGTH = 8


def from_wheels(folder: Path) -> set[str]:
    found: set[str] = set(VIETNAMESE)
    for wheel in folder.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.endswith("contrib/auth/common-passwords.txt.gz"):
                    text = gzip.decompress(archive.read(name)).decode()
                    found.update(text.split())
                elif name.endswith("zxcvbn/frequency_lists.py"):
                    found.update(_zxcvbn_passwords(archive.read(name).decode()))
    return {p.strip().lower() for p in found if len(p.strip()) >= MIN_LENGTH}


def _zxcvbn_passwords(source: str) -> list[str]:
    """Reads the comma-separated "passwords" entry without running the module."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "passwords":
                    return value.func.value.value.split(",")  # "a,b,c".split(",")
    raise ValueError("no passwords list in zxcvbn's frequency_lists.py")


def main(folder: str) -> None:
    passwords = sorted(from_wheels(Path(folder)))
    with gzip.open(HERE / "common_passwords.txt.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("\n".join(passwords) + "\n")
    print(f"{len(passwords)} passwords written")


if __name__ == "__main__":
    main(sys.argv[1])
