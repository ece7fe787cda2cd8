"""Every relative link and anchor in README.md and docs/ resolves."""
import re
from urllib.parse import unquote

from tests.docs.markdown import ROOT, anchors, pages, prose

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def test_relative_links_and_anchors_resolve():
    broken = []
    for page in pages():
        for target in LINK.findall(prose(page)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):   # http:, https:, mailto:
                continue
            path, _, fragment = target.partition("#")
            file = (page.parent / unquote(path)).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif fragment and file.suffix == ".md" and fragment not in anchors(file):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_check_sees_a_broken_anchor(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## Two words\n\n```text\n# not a heading\n```\n", encoding="utf-8")
    assert anchors(page) == {"title", "two-words"}
