"""Every `sh` block of README.md and docs/*.md, run against a freshly seeded demo.

One page is one bash script (`set -euo pipefail`): its blocks in order, after the
demo's variables and helpers (`GET /api/v1/dev/demo/env`, exactly what a reader
`eval`s). The first failing command fails the page, naming the block. How to
write such an example: docs/README.md.
"""
import shlex
import subprocess
import urllib.request

import pytest

from tests.docs.markdown import ROOT, blocks, pages

RUNNABLE = "sh"
PAGES = [page for page in pages() if any(b.language == RUNNABLE for b in blocks(page))]


def script(page, demo) -> str:
    with urllib.request.urlopen(f"{demo.api}/dev/demo/env", timeout=10) as answer:
        environment = answer.read().decode()
    parts = ["set -euo pipefail",
             f"export BASE={shlex.quote(demo.base)} API={shlex.quote(demo.api)}",
             environment,
             'trap \'echo "example failed: $EXAMPLE (line $LINENO of the script)" >&2\' ERR']
    for block in blocks(page):
        if block.language == RUNNABLE:
            parts.append(f"EXAMPLE={shlex.quote(block.where)}\n{block.text}")
    return "\n".join(parts) + "\n"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_the_examples_run(page, demo, tmp_path):
    done = subprocess.run(["bash", "-c", script(page, demo)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, (f"{page.relative_to(ROOT)}: an example failed\n--- stdout\n{done.stdout[-4000:]}"
                                  f"\n--- stderr\n{done.stderr[-4000:]}")


def test_every_runnable_block_is_found():
    """A typo in a fence (```shell, ```bash) would silently skip an example: only sh and text are allowed."""
    for page in pages():
        for block in blocks(page):
            assert block.language in ("sh", "text", "python", "json"), (
                f"{block.where}: fence '{block.language}'; use sh (runs) or text (illustrative)")
