"""The example implementations in other languages and their implementations file; shipped
in the wheel as the package data of ``harness.examples`` (pyproject.toml)."""
