"""``--shard i/n``: run one shard of the selected cells (harness/shards.py says how they are
split), after every other selection."""

from __future__ import annotations

import pytest

from harness import shards
from harness.plugin.options import cell_of


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("http-interop").addoption(
        "--shard",
        type=shards.parse,
        metavar="I/N",
        help="run shard I of N only: every server's cells stay in one shard, chosen by a hash "
        "of its name (the same on every machine); merge the shards' results files with "
        "python -m harness merge (docs/ci.md)",
    )


# trylast: after -k, -m and --case deselected theirs, so each shard counts every deselection
# of the whole run, and the merged shards have the whole run's counts.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep this shard's cells. The others are not reported as deselected: the other shards
    run them (harness/report/merge.py)."""
    shard = config.getoption("shard")
    if shard is not None:
        items[:] = [
            item for item in items if shard.keeps(cell.pairing if (cell := cell_of(item)) else None)
        ]
