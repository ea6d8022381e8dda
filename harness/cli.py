"""The command line: ``http-interop run|probe|report|diff|merge|list|coverage|differential`` (also
``python -m harness``). ``run`` and ``probe`` become pytest on the installed suites; the others read
results files, or list what a run can select.

Exit codes: 0 done; 1 ``diff`` found a regression, or cells of OLD missing from NEW
(unless ``--allow-removed``); 2 a usage error or a file that cannot be used (argparse's own
code for usage errors); ``run`` and ``probe`` exit as pytest does. A user's mistake prints
one line naming the file and what is wrong with it, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from harness import extensions, listing, locations
from harness.differential import generate, regressions, sweep
from harness.differential.record import Probe
from harness.extensions import ExtensionError
from harness.implementation import Kind, UnknownImplementation
from harness.listing import SUITES
from harness.registry import REGISTRY
from harness.report import coverage, files, merge
from harness.report import diff as diff_module
from harness.results import ResultsFileError, load, write

EXIT_REGRESSION = 1
EXIT_USAGE = 2


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


def _list(args: argparse.Namespace) -> int:
    implementations = listing.implementations(args.impls)
    cases = listing.cases()
    if args.json:
        print(json.dumps({"implementations": implementations, "cases": cases}, indent=2))
    else:
        print("\n".join(listing.render(implementations, cases)))
    return 0


def _coverage(args: argparse.Namespace) -> int:
    document = load(args.results)
    if args.json:
        print(json.dumps(coverage.as_json(document, args.untested), indent=2))
    else:
        print("\n".join(coverage.text(document, args.untested)))
    return 0


def _differential(args: argparse.Namespace) -> int:
    entries = importlib.import_module(listing.PROBES).ENTRIES
    extensions.register_all(REGISTRY, [locations.implementations_file(), *args.impls], {})
    names = args.server or sweep.default_servers()
    for name in names:
        REGISTRY.get(Kind.SERVER, name)  # an unknown name: one line, exit 2
    probes = [Probe.of(entry) for entry in entries if args.k in entry.id]
    with sweep.started(names) as (targets, failed):
        for line in failed.values():
            print(line, file=sys.stderr)
        found = sweep.sweep(probes, targets)
        hunted = generate.hunt(targets, args.differential_examples, _progress) if targets else []
        if sys.stderr.isatty():
            print(file=sys.stderr)  # past the progress line
    print("\n".join(sweep.render(found)))
    if args.save_catalogue:
        kept = regressions.load_all(args.regressions)
        for entry in regressions.new_entries(found.disagreements, entries, kept):
            print(f"{entry.entry}: kept as {regressions.save(entry, args.regressions)}")
    for entry in map(regressions.of, hunted):
        print(f"generated {entry.request!r}: kept as {regressions.save(entry, args.regressions)}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(sweep.as_json(found), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


def _progress(line: str) -> None:
    """The hunt's progress line, rewritten in place on a terminal."""
    end = "\r" if sys.stderr.isatty() else "\n"
    print(line, end=end, file=sys.stderr, flush=True)


def pytest_argv(args: argparse.Namespace, passed_on: list[str]) -> list[str]:
    """The pytest command line of ``run`` and ``probe``: the installed suites, in parallel,
    with the user's own pytest options (selection, --results, ...) after ours."""
    argv = [sys.executable, "-m", "pytest", "--pyargs", SUITES, "-n", str(args.workers)]
    # The cells' properties in junit.xml, should the user ask for one (--junitxml).
    argv += ["-o", "junit_family=xunit1"]
    if args.command == "probe":
        argv += ["--target", args.url]
    return argv + passed_on


def _pytest(args: argparse.Namespace, passed_on: list[str]) -> int:
    argv = pytest_argv(args, passed_on)
    print(shlex.join(["pytest", *argv[3:]]), file=sys.stderr, flush=True)
    # The command becomes pytest: its output, its exit status, its handling of Ctrl-C.
    os.execv(argv[0], argv)


PYTEST_COMMANDS = {
    "run": "run the conformance suites (pytest --pyargs harness.suites)",
    "probe": "run the server probes against a running server (pytest ... --target URL)",
}


def _workers(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of workers, 0 or more, got {text!r}")
    return int(text)


def parser(prog: str = "http-interop") -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog=prog,
        description=(
            "The conformance run and its reports: run, probe, report, diff, merge, list, coverage."
        ),
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = commands.add_parser(
        "report",
        help="render conformance.html, summary.md and coverage.html from a results file",
        description="Render conformance.html, summary.md and coverage.html from a results file.",
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

    listed = commands.add_parser(
        "list",
        help="list the implementations and the cases",
        description=(
            "List every implementation a run can select (this package's, entry points of "
            "installed packages, the examples' implementations file, --impls files) and every "
            "case (id, level, RFC section; for a probe catalogue entry, the ids other catalogues "
            "give the same check: its see_also)."
        ),
    )
    listed.add_argument("--json", action="store_true", help="as JSON")
    listed.add_argument(
        "--impls",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="an implementations file, as pytest's --impls (repeatable)",
    )
    listed.set_defaults(run=_list)

    covered = commands.add_parser(
        "coverage",
        help="which requirements of RFC 9110 and RFC 9112 the cases of a results file check",
        description=(
            "Per RFC and section, every requirement of RFC 9110 and RFC 9112 (its keywords, "
            "whom it binds) and the cases that check it with their cells' outcomes; totals per "
            "RFC, level and role. Requirements binding only intermediaries or caches are listed "
            "but not counted."
        ),
    )
    covered.add_argument(
        "results",
        type=Path,
        nargs="?",
        default=Path("reports", "results.json"),
        metavar="RESULTS",
        help="a results.json file (default: reports/results.json)",
    )
    covered.add_argument(
        "--untested",
        action="store_true",
        help="only the counted requirements no case checks (to choose the next suite from)",
    )
    covered.add_argument("--json", action="store_true", help="as JSON")
    covered.set_defaults(run=_coverage)

    differential = commands.add_parser(
        "differential",
        help="the probe catalogue's bytes to every server; who reads them differently",
        description=(
            "Start the selected servers (default: every one serving /echo), send each probe "
            "catalogue entry's bytes to all of them on fresh connections, group the servers "
            "by interpretation (harness/differential/normalise.py says what does not count) "
            "and print each request read differently, smuggling-relevant ones first (two "
            "servers that took it as a message but disagree where it ends); writes a JSON "
            "report. Then send generated requests (harness/differential/generate.py) and keep "
            "each disagreement, shrunk, as a replayable entry (--regressions)."
        ),
    )
    differential.add_argument(
        "--server",
        action="append",
        default=[],
        metavar="NAME",
        help="a server to compare (repeatable; default: every available one serving /echo)",
    )
    differential.add_argument(
        "--impls",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="an implementations file, as pytest's --impls (repeatable)",
    )
    differential.add_argument(
        "-k", default="", metavar="TEXT", help="only the entries whose id contains TEXT"
    )
    differential.add_argument(
        "--differential-examples",
        type=int,
        default=generate.DEFAULT_EXAMPLES,
        metavar="N",
        help=(
            "generated requests to send, on a fixed seed (default: "
            f"{generate.DEFAULT_EXAMPLES}); each disagreement is shrunk and kept"
        ),
    )
    differential.add_argument(
        "--save-catalogue",
        action="store_true",
        help=(
            "also keep each catalogue entry read differently, smuggling-relevant, as a "
            "replayable entry named by its id (one per bytes sent)"
        ),
    )
    differential.add_argument(
        "--regressions",
        type=Path,
        default=locations.regressions(),
        metavar="DIR",
        help="where the shrunk disagreements are kept (default: the suites' regressions/)",
    )
    differential.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("reports", "differential.json"),
        metavar="FILE",
        help="the JSON report (default: reports/differential.json)",
    )
    differential.set_defaults(run=_differential)

    for name, summary in PYTEST_COMMANDS.items():
        command = commands.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}. Every other option goes to "
            "pytest: --server, --client, --transport, --impls, --server-cmd, --client-cmd, "
            "--results, -k, -m, --repeat, ... (pytest --help, group http-interop).",
            allow_abbrev=False,
        )
        if name == "probe":
            command.add_argument("url", metavar="URL", help="the running server, http://HOST:PORT/")
        command.add_argument(
            "-n",
            dest="workers",
            type=_workers,
            default=os.cpu_count() or 2,
            metavar="N",
            help="pytest-xdist workers (default: the CPU count; 0: none, one process)",
        )
        command.set_defaults(run=_pytest)
    return top


def main(argv: Sequence[str] | None = None, prog: str = "http-interop") -> int:
    top = parser(prog)
    args, passed_on = top.parse_known_args(argv)
    if args.run is _pytest:
        return _pytest(args, passed_on)
    if passed_on:
        top.error(f"unrecognized arguments: {' '.join(passed_on)}")
    try:
        status: int = args.run(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows here, not at exit
        return status
    except BrokenPipeError:
        # The reader left early (`http-interop list | head`): stop quietly, as the Python
        # docs advise (library/signal.rst, "Note on SIGPIPE"), with stdout on devnull so
        # that the interpreter's last flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    # OSError: an output path that cannot be written (the message names it).
    except (ResultsFileError, ExtensionError, UnknownImplementation, OSError) as exc:
        print(f"{prog} {args.command}: error: {exc}", file=sys.stderr)
    return EXIT_USAGE
