"""The migration history is one line: `flask db upgrade` works as typed."""
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def test_the_history_has_exactly_one_head():
    assert len(_scripts().get_heads()) == 1, _scripts().get_heads()


def test_every_revision_leads_to_the_head():
    scripts = _scripts()
    head = scripts.get_current_head()
    reachable = {revision.revision for revision in scripts.iterate_revisions(head, "base")}
    every = {revision.revision for revision in scripts.walk_revisions()}
    assert reachable == every
