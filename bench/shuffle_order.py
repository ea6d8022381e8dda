"""A pytest plugin for bench/flakes.py: runs the collected items in an order shuffled by a
seed, so that a cell that passes only after (or before) some other cell shows up.

    PYTHONPATH=bench pytest suites -p shuffle_order --shuffle-seed 7 -n 2

Every xdist worker collects and shuffles with the same seed, so they agree on the order, as
pytest-xdist requires; the controller then hands the items out in that order.
"""

from __future__ import annotations

import random

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--shuffle-seed", type=int, help="shuffle the items with this seed")


@pytest.hookimpl(trylast=True)  # after the harness plugin's own selection
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seed = config.getoption("shuffle_seed")
    if seed is not None:
        random.Random(seed).shuffle(items)
