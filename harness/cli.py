"""The command line: ``python -m harness report|diff|merge|list``.

Exit codes: 0 done; 1 ``diff`` found a regression, or cells of OLD missing from NEW
(unless ``--allow-removed``); 2 a usage error or a file that cannot be
used (argparse's own code for usage errors). A user's mistake prints one line naming the file
and what is wrong with it, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.cases import CATALOGUE
from harness.registry import REGISTRY
from harness.report import diff as diff_module
from harness.report import files, merge
from harness.results import ResultsFileError, load, write

EXIT_REGRESSION = 1
EXIT_USAGE = 2


class UserError(Exception):
    """A mistake the user can fix; printed as one line."""


def _report(args: argparse.Namespace) -> int:
    document = load(args.results)
    for path in files.write(document, args.results, args.output):
        print(f"wrote {path}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    old, new = load(args.old), load(args.new)
    found = diff_module.compare(old, new)
    render = diff_module.render_markdown if args.markdown else diff_module.render_text
    text = render(found, str(args.old), str(args.new))
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if found.regressions:
        return EXIT_REGRESSION
    if found.removed_count and not args.allow_removed:
        print(
            f"python -m harness diff: {found.removed_count} cells of OLD are not in NEW "
            "(removed, or not selected); pass --allow-removed to accept that",
            file=sys.stderr,
        )
        return EXIT_REGRESSION
    return 0


def _merge(args: argparse.Namespace) -> int:
    merged = merge.merge(merge.read_for_merge(args.files))
    write(args.output, merged)
    print(f"wrote {args.output}: {len(merged['cells'])} cells from {len(args.files)} files")
    return 0


def _load_cases(directory: Path) -> None:
    """Import every suite module in ``directory``: defining a case registers it."""
    if not directory.is_dir():
        raise UserError(
            f"{directory}: no such folder of suites (run from the repository root, or pass "
            "--suites DIR)"
        )
    # The suites are modules of the package named after their folder, as pytest imports them.
    sys.path.insert(0, str(directory.resolve().parent))
    for path in sorted(directory.glob("test_*.py")):
        importlib.import_module(f"{directory.resolve().name}.{path.stem}")


def _list(args: argparse.Namespace) -> int:
    _load_cases(args.suites)
    implementations = [
        {
            "name": impl.name,
            "kind": str(impl.kind),
            "description": impl.description,
            "package": impl.package,
            "lacks": sorted(map(str, impl.lacks)),
        }
        for impl in REGISTRY.all()
    ]
    cases = [
        {"id": case.id, "suite": case.suite, "rfc": case.rfc, "level": str(case.level)}
        for case in sorted(CATALOGUE.cases(), key=lambda case: case.id)
    ]
    if args.json:
        print(json.dumps({"implementations": implementations, "cases": cases}, indent=2))
        return 0
    print("Implementations:")
    width = max(len(impl["name"]) for impl in implementations)
    for impl in implementations:
        print(f"  {impl['name']:<{width}}  {impl['kind']:<6}  {impl['description']}")
    print(f"\nCases ({len(cases)}):")
    width = max((len(case["id"]) for case in cases), default=0)
    for case in cases:
        print(f"  {case['id']:<{width}}  {case['level']:<6}  {case['rfc']}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m harness",
        description="Reports from http-interop results files (reports/results.json).",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser(
        "report",
        help="render conformance.html and summary.md from a results file",
        description="Render conformance.html and summary.md from a results file.",
    )
    report.add_argument("results", type=Path, metavar="RESULTS", help="a results.json file")
    report.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="DIR",
        help="folder to write into (default: the results file's folder)",
    )
    report.set_defaults(run=_report)

    diff = commands.add_parser(
        "diff",
        help="compare two results files; exit 1 on a regression",
        description=(
            "Compare two results files cell by cell: regressions (passed, now does not), "
            "fixes, other changed outcomes, new and removed cells; with different selections, "
            "the cells both ran. Exits 1 when there is a regression or a cell of OLD is not "
            "in NEW (unless --allow-removed), so CI can gate on it."
        ),
    )
    diff.add_argument("old", type=Path, metavar="OLD", help="the earlier results file")
    diff.add_argument("new", type=Path, metavar="NEW", help="the later results file")
    diff.add_argument(
        "--markdown", action="store_true", help="write Markdown (for a pull-request comment)"
    )
    diff.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )
    diff.add_argument(
        "--allow-removed",
        action="store_true",
        help="exit 0 when cells of OLD are not in NEW (a narrower run, removed cases)",
    )
    diff.set_defaults(run=_diff)

    merge_command = commands.add_parser(
        "merge",
        help="combine results files from shards into one",
        description=(
            "Combine results files from shards (a CI matrix, runs split by suite) into one. "
            "Files of different schema versions are refused."
        ),
    )
    merge_command.add_argument("files", type=Path, nargs="+", metavar="FILE")
    merge_command.add_argument(
        "-o", "--output", type=Path, metavar="OUT", required=True, help="the merged file"
    )
    merge_command.set_defaults(run=_merge)

    listing = commands.add_parser(
        "list",
        help="list the implementations and the cases",
        description="List the implementations and the cases (id, suite, RFC section, level).",
    )
    listing.add_argument("--json", action="store_true", help="as JSON")
    listing.add_argument(
        "--suites",
        type=Path,
        default=Path("suites"),
        metavar="DIR",
        help="the folder of suite modules (default: ./suites)",
    )
    listing.set_defaults(run=_list)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    # OSError: an output path that cannot be written (the message names it).
    except (ResultsFileError, UserError, OSError) as exc:
        print(f"python -m harness {args.command}: error: {exc}", file=sys.stderr)
    return EXIT_USAGE
