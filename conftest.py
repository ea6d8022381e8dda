"""Root conftest: loads the results plugin and the fixture layer for every test run."""

pytest_plugins = [
    "harness.plugin",
    "fixtures.certificates",
    "fixtures.environment",
    "fixtures.servers",
    "fixtures.tls",
]
