"""The pytest plugin: selection options, the cell matrix, baselines as xfail, results.json.

One module per job, all registered by naming this package (``-p harness.plugin``, or
``pytest_plugins`` in the root conftest):

- ``options``: the command-line options, the matrix of cells they select, parametrizing;
- ``baseline``: what each cell is expected to do (run, skip, deviate as an xfail), and what
  its report says (the failure message, "fixed");
- ``recorder``: the results file and the reports beside it, on the controller;
- ``repeat``: the transcript of a failed cell, and ``--repeat``;
- ``target``: ``--target URL``, the server probes against a server the user started;
- ``progress``: the terminal's progress lines (one per suite and implementation).

Works the same serially and under pytest-xdist: every worker attaches a cell's metadata to
its reports as ``user_properties`` (``properties``), and only the controller (which receives
every report) records cells and writes the results file.
"""

pytest_plugins = [
    "harness.plugin.options",
    "harness.plugin.baseline",
    "harness.plugin.recorder",
    "harness.plugin.repeat",
    "harness.plugin.target",
    "harness.plugin.progress",
]
