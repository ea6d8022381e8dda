"""The pytest plugin: selection options, the cell matrix, baselines as xfail, results.json.

Installed, it is the ``pytest11`` entry point ``harness.plugin`` (pyproject.toml), so it
loads in every pytest run; it acts only on the cells of the suites (``pytest --pyargs
harness.suites``, or ``pytest suites`` in this checkout). One module per job:

- ``options``: the command-line options, the matrix of cells they select, parametrizing;
- ``baseline``: what each cell is expected to do (run, skip, deviate as an xfail), and what
  its report says (the failure message, "fixed");
- ``recorder``: the results file and the reports beside it, on the controller;
- ``repeat``: the transcript of a failed cell, and ``--repeat``;
- ``target``: ``--target URL``, the server probes against a server the user started;
- ``progress``: the terminal's progress lines (one per suite and implementation);
- ``settings``: the suite markers, and the warning filter and timeout of every cell;
- ``shard``: ``--shard i/n``, one shard of the cells (harness/shards.py);
- ``schedule``: under pytest-xdist, each server's cells on one worker;

and the fixture layer, ``harness.fixtures`` (fixtures/ in this checkout).

Works the same serially and under pytest-xdist: every worker attaches a cell's metadata to
its reports as ``user_properties`` (``properties``), and only the controller (which receives
every report) records cells and writes the results file.
"""

pytest_plugins = [
    # settings before the modules that import it (recorder), so that pytest registers it
    # before anything imports it and can still rewrite its asserts.
    "harness.plugin.options",
    "harness.plugin.settings",
    "harness.plugin.baseline",
    "harness.plugin.recorder",
    "harness.plugin.repeat",
    "harness.plugin.target",
    "harness.plugin.progress",
    "harness.plugin.shard",
    "harness.plugin.schedule",
    "harness.fixtures.certificates",
    "harness.fixtures.environment",
    "harness.fixtures.servers",
    "harness.fixtures.tls",
]
