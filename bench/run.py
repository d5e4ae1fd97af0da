"""Benchmark ctg on synthetic national-scale corpora, against the floor.

    python bench/run.py [--sizes 10,100,1300] [--corpus-dir bench/corpus]
                        [--output bench/RESULTS.md]

For each size N: generate (once, cached) a corpus of N plans shaped like civraisien-2019
(bench/generate.py), then run as whole processes, interleaved:

- the floor: bench/floor.py, which only parses every YAML file with ruamel.yaml's C safe
  loader, in one process;
- ``ctg validate DIR``;
- ``ctg coverage DIR --format json`` (stdout to a file);
- ``ctg bilan DIR --format json`` (stdout to a file; the corpus has no follow-up, so this
  is load, check and the bilan of every fiche « aucun suivi »);
- ``ctg render DIR --format html -o TMPDIR``.

Each run is timed (wall clock, time.perf_counter), its CPU time taken from wait4 (the
process and the workers it waited for), and its peak memory sampled every 20 ms with
psutil as the summed RSS of the process and all its descendants. Sizes below 1,000 are
run --repeat times (median time, highest peak memory), larger ones --repeat-large times.
Then the single-plan check: ``ctg validate plans/civraisien-2019`` against ``ctg --version``,
median of --single-runs whole-process runs each; and render against validate in CPU time per
plan, one worker (``-j 1``), on the first 50 plans, median of --cpu-runs runs each.

Prints a table and the targets of issues 7, 11 and 12 (met or missed, with the ratio); with
--output,
writes them as Markdown with the machine description. Exits 0 when every command worked
(whatever the figures), 1 when a command failed or gave wrong output, 2 for usage errors
(psutil missing: ``pip install psutil``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/generate.py, next to this file)

# The checks below read ctg's summary lines: ask for them in English (ctg speaks French by
# default), for this process's children.
os.environ["CTG_LANG"] = "en"

REFERENCE_PLAN = REPO / "plans" / "civraisien-2019"
SAMPLE_SECONDS = 0.02
MB = 1_000_000

# Targets of issue 7 (validate, coverage, render drift, memory) and issue 11 (single plan).
VALIDATE_MAX_RATIO = 1.5
COVERAGE_MAX_RATIO = 2.0
RENDER_MAX_DRIFT = 0.20
PEAK_MAX_BYTES = 1_000 * MB
SINGLE_MAX_RATIO = 3.5
# Issue 12: render CPU per plan against validate CPU per plan, one worker, 50 plans.
CPU_PLANS = 50
RENDER_CPU_MAX_RATIO = 2.5
LARGE = 1_000  # sizes from here on are run --repeat-large times


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    wall: float
    cpu: float
    peak: int  # summed RSS of the process tree, bytes
    returncode: int
    other: float = 0.0  # share of the machine's CPU used by other processes meanwhile


class BenchError(Exception):
    """A command failed or gave wrong output."""


def ctg_command() -> list[str]:
    script = Path(sys.executable).parent / "ctg"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ctgkit.cli"]


def _rss(processes: list) -> int:
    import psutil

    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total


def _busy(times) -> float:
    """CPU seconds the machine spent on anything but idling (steal counted as busy)."""
    return sum(
        getattr(times, name, 0.0) for name in ("user", "nice", "system", "irq", "softirq", "steal")
    )


def measure(command: list[str], stdout, stderr, sample: bool = True) -> Run:
    """Run ``command`` to completion: wall time, CPU time of the tree, peak summed RSS."""
    import psutil

    machine_before = _busy(psutil.cpu_times())
    self_before = time.process_time()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
    peak = 0
    stop = threading.Event()

    def sampler() -> None:
        # Listing the descendants scans /proc: do it every 5th sample only (the CLI's
        # workers live as long as their pool); read their RSS at every sample.
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.Error:
            return
        tree = [root]
        count = 0
        while not stop.is_set():
            if count % 5 == 0:
                try:
                    tree = [root, *root.children(recursive=True)]
                except psutil.Error:
                    pass
            count += 1
            peak = max(peak, _rss(tree))
            stop.wait(SAMPLE_SECONDS)

    thread = threading.Thread(target=sampler, daemon=True) if sample else None
    if thread:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    if thread:
        thread.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    # Whatever else the machine did meanwhile: a sign that the figures are disturbed.
    foreign = _busy(psutil.cpu_times()) - machine_before - cpu - (time.process_time() - self_before)
    other = max(0.0, foreign) / (wall * (psutil.cpu_count() or 1))
    return Run(wall, cpu, peak, process.returncode, other)


def run_checked(name: str, command: list[str], work: Path, check) -> Run:
    """Measure ``command`` with stdout and stderr in files; ``check(stdout_path)`` raises
    :class:`BenchError` when the output is wrong."""
    out, err = work / "stdout", work / "stderr"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        result = measure(command, stdout, stderr)
    if result.returncode != 0:
        raise BenchError(
            f"{name} failed (exit {result.returncode}): {' '.join(command)}\n"
            + _tail(out)
            + _tail(err)
        )
    check(out, err)
    return result


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    text = data[-limit:].decode("utf-8", "replace")
    return f"--- {path.name} (last {limit} bytes) ---\n{text}\n" if text.strip() else ""


# --------------------------------------------------------------------------- checks


SUMMARY = re.compile(r"^(\d+) errors?, (\d+) warnings? in (\d+) plans?$", re.M)


def check_floor(n_files: int):
    def check(out: Path, err: Path) -> None:
        text = out.read_text()
        match = re.search(r"floor: (\d+) files, (\d+) bytes, parser (\S+)", text)
        if not match or not match.group(3).endswith("CParser"):
            raise BenchError(f"floor: unexpected output {text.strip()!r}\n" + _tail(err))
        if int(match.group(1)) != n_files:
            raise BenchError(f"floor read {match.group(1)} files, expected {n_files}")

    return check


def check_validate(n: int):
    def check(out: Path, err: Path) -> None:
        text = out.read_text(encoding="utf-8", errors="replace")
        match = SUMMARY.search(text)
        if not match:
            raise BenchError("ctg validate printed no summary line\n" + _tail(out) + _tail(err))
        errors, warnings, plans = map(int, match.groups())
        if errors or warnings or plans != n:
            raise BenchError(
                f"ctg validate on the generated corpus: {match.group(0)} (expected 0 errors, "
                f"0 warnings in {n} plans)\n" + _tail(out)
            )

    return check


def check_coverage(n: int, what: str = "ctg coverage --format json"):
    def check(out: Path, err: Path) -> None:
        size = out.stat().st_size
        if size < 200 * MB:
            try:
                data = json.loads(out.read_bytes())
            except ValueError as exc:
                raise BenchError(f"{what}: not JSON ({exc})") from None
            plans = data.get("plans") if isinstance(data, dict) else None
            if not isinstance(plans, list) or len(plans) != n:
                raise BenchError(f"{what}: expected {n} plans in 'plans'")
        else:
            with open(out, "rb") as handle:
                head = handle.read(1)
                handle.seek(-2, os.SEEK_END)
                tail = handle.read().strip()
            if head != b"{" or tail != b"}":
                raise BenchError(f"{what}: output is not a JSON object")

    return check


def check_render(n: int, outdir: Path):
    def check(out: Path, err: Path) -> None:
        plans = [p for p in outdir.iterdir() if p.is_dir()] if outdir.is_dir() else []
        done = [p for p in plans if (p / "plan.html").is_file() and (p / "coverage.html").is_file()]
        if len(done) != n:
            raise BenchError(
                f"ctg render wrote plan.html and coverage.html for {len(done)} plans, expected {n}"
                + "\n"
                + _tail(err)
            )

    return check


# --------------------------------------------------------------------------- corpus


@dataclass
class Corpus:
    n: int
    path: Path
    files: int = 0
    bytes: int = 0
    yaml_files: int = 0
    yaml_bytes: int = 0
    generated: float | None = None  # seconds, when generated in this run


def prepare_corpus(n: int, corpus_dir: Path) -> Corpus:
    path = corpus_dir / str(n)
    started = time.perf_counter()
    made = generate.ensure_corpus(n, path)
    corpus = Corpus(n, path, generated=time.perf_counter() - started if made else None)
    for directory, _subdirs, names in os.walk(path):
        for name in names:
            if name.startswith("."):
                continue
            full = os.path.join(directory, name)
            size = os.path.getsize(full)
            # read once: the timed runs then all start from a warm page cache
            with open(full, "rb") as handle:
                handle.read()
            corpus.files += 1
            corpus.bytes += size
            if name.endswith((".yaml", ".yml")):
                corpus.yaml_files += 1
                corpus.yaml_bytes += size
    return corpus


# --------------------------------------------------------------------------- benchmark


COMMANDS = ("floor", "validate", "coverage", "bilan", "render")
LABELS = {
    "floor": "floor (C safe loader, 1 process)",
    "validate": "ctg validate",
    "coverage": "ctg coverage --format json",
    "bilan": "ctg bilan --format json",
    "render": "ctg render --format html",
}


@dataclass
class Result:
    corpus: Corpus
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def wall(self, command: str) -> float:
        return statistics.median(r.wall for r in self.runs[command])

    def cpu(self, command: str) -> float:
        return statistics.median(r.cpu for r in self.runs[command])

    def peak(self, command: str) -> int:
        return max(r.peak for r in self.runs[command])

    def other(self, command: str) -> float:
        return max(r.other for r in self.runs[command])


def wait_quiet(limit: float, log) -> None:
    """Wait, at most ``limit`` seconds, until other processes use under 10 % of the CPU."""
    import psutil

    deadline = time.monotonic() + limit
    while True:
        busy = psutil.cpu_percent(interval=1.0)
        if busy < 10:
            return
        if time.monotonic() >= deadline:
            log(f"  (the machine is still {busy:.0f} % busy; measuring anyway)")
            return
        time.sleep(1.0)


def bench_size(corpus: Corpus, repeat: int, work: Path, log, quiet_wait: float = 0) -> Result:
    ctg = ctg_command()
    result = Result(corpus, {c: [] for c in COMMANDS})
    target = str(corpus.path)
    for attempt in range(1, repeat + 1):
        for command in COMMANDS:
            if command == "floor":
                argv = [sys.executable, str(BENCH / "floor.py"), target]
                check = check_floor(corpus.yaml_files)
            elif command == "validate":
                argv = [*ctg, "validate", target]
                check = check_validate(corpus.n)
            elif command == "coverage":
                argv = [*ctg, "coverage", target, "--format", "json"]
                check = check_coverage(corpus.n)
            elif command == "bilan":
                argv = [*ctg, "bilan", target, "--format", "json"]
                check = check_coverage(corpus.n, LABELS["bilan"])
            else:
                outdir = work / "site"
                shutil.rmtree(outdir, ignore_errors=True)
                argv = [*ctg, "render", target, "--format", "html", "-o", str(outdir)]
                check = check_render(corpus.n, outdir)
            if quiet_wait:
                wait_quiet(quiet_wait, log)
            run = run_checked(LABELS[command], argv, work, check)
            result.runs[command].append(run)
            log(
                f"  N={corpus.n} run {attempt}/{repeat} {LABELS[command]:<33} "
                f"{run.wall:8.2f} s wall {run.cpu:8.2f} s cpu {run.peak / MB:8.1f} MB "
                f"(others used {run.other:.0%} of the CPU)"
            )
        shutil.rmtree(work / "site", ignore_errors=True)
    return result


@dataclass
class Single:
    runs: int
    validate: list[float]
    version: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.validate) / statistics.median(self.version)


def bench_single(runs: int, log) -> Single:
    """``ctg validate plans/civraisien-2019`` against ``ctg --version``, whole processes."""
    ctg = ctg_command()
    validate = [*ctg, "validate", str(REFERENCE_PLAN)]
    version = [*ctg, "--version"]
    # An installed package has its bytecode compiled (pip does it); an editable checkout
    # under PYTHONDONTWRITEBYTECODE=1 would recompile ctgkit at every start. Compile it once
    # so that both commands are timed as a user runs them.
    import ctgkit

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(ctgkit.__file__).parent)],
        check=False,
        stdout=subprocess.DEVNULL,
    )
    for argv in (validate, version):  # warm-up, and a check that both work
        done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise BenchError(
                f"{' '.join(argv)} failed (exit {done.returncode})\n{done.stdout}{done.stderr}"
            )
    times: dict[str, list[float]] = {"validate": [], "version": []}
    for _ in range(runs):  # interleaved, so that drift hits both alike
        for name, argv in (("validate", validate), ("version", version)):
            run = measure(argv, subprocess.DEVNULL, subprocess.DEVNULL, sample=False)
            if run.returncode != 0:
                raise BenchError(f"{' '.join(argv)} failed (exit {run.returncode})")
            times[name].append(run.wall)
    single = Single(runs, times["validate"], times["version"])
    log(
        f"  single plan: ctg validate {statistics.median(single.validate) * 1000:.0f} ms, "
        f"ctg --version {statistics.median(single.version) * 1000:.0f} ms (median of {runs})"
    )
    return single


@dataclass
class CpuRatio:
    """CPU seconds of whole ``ctg validate`` and ``ctg render`` runs on the same plans, with
    one worker (``-j 1``): the cost of rendering a plan against that of checking it."""

    plans: int
    validate: list[float]
    render: list[float]

    def per_plan(self, command: str) -> float:
        return statistics.median(getattr(self, command)) / self.plans

    @property
    def ratio(self) -> float:
        return statistics.median(self.render) / statistics.median(self.validate)


def bench_cpu(corpus_dir: Path, runs: int, work: Path, log, quiet_wait: float = 0) -> CpuRatio:
    """``ctg render`` (Markdown and HTML, as a user runs it) against ``ctg validate`` on the
    first CPU_PLANS plans, ``-j 1``, interleaved; CPU time of the process (wait4)."""
    corpus = prepare_corpus(CPU_PLANS, corpus_dir)
    ctg = ctg_command()
    target = str(corpus.path)
    outdir = work / "site"
    result = CpuRatio(corpus.n, [], [])
    for attempt in range(1, runs + 1):
        for command in ("validate", "render"):
            shutil.rmtree(outdir, ignore_errors=True)
            if command == "validate":
                argv = [*ctg, "validate", target, "-j", "1"]
                check = check_validate(corpus.n)
            else:
                argv = [*ctg, "render", target, "-j", "1", "-o", str(outdir)]
                check = check_render(corpus.n, outdir)
            if quiet_wait:
                wait_quiet(quiet_wait, log)
            run = run_checked(f"ctg {command} -j 1", argv, work, check)
            getattr(result, command).append(run.cpu)
            log(
                f"  N={corpus.n} run {attempt}/{runs} ctg {command} -j 1{'':<18} "
                f"{run.wall:8.2f} s wall {run.cpu:8.2f} s cpu "
                f"(others used {run.other:.0%} of the CPU)"
            )
    shutil.rmtree(outdir, ignore_errors=True)
    log(
        f"  render/validate CPU per plan, -j 1: {result.ratio:.2f}× "
        f"({result.per_plan('render') * 1000:.0f} vs {result.per_plan('validate') * 1000:.0f} ms)"
    )
    return result


# --------------------------------------------------------------------------- report


def code_state() -> str:
    """The commit of the repository, and whether tracked files differ from it."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (with uncommitted changes)" if dirty else "")


def machine(load_before: tuple[float, float, float], code_before: str) -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    import psutil

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    commit = code_before
    code_after = code_state()
    if code_after != code_before:
        commit = f"{code_before} at the start, {code_after} at the end (changed during the run)"
    try:
        date = subprocess.run(["date"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        date = dt.datetime.now().astimezone().strftime("%a %d %b %Y %H:%M:%S %Z")
    return {
        "Date": date,
        "CPU": cpu,
        "Cores": f"{os.cpu_count()} logical, {usable} usable by this process",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}"
        f" ({sys.executable})",
        "ruamel.yaml": version("ruamel.yaml"),
        "ruamel.yaml.clib": version("ruamel.yaml.clib"),
        "ctgkit": f"{version('ctgkit')}, commit {commit}",
        "psutil": version("psutil"),
        "Load average (1, 5, 15 min)": "before the run {}, after it {}".format(
            ", ".join(f"{x:.2f}" for x in load_before),
            ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        ),
    }


@dataclass
class Target:
    name: str
    measured: str
    status: str  # met, missed, not measured


def evaluate(
    results: list[Result], single: Single | None, cpu: CpuRatio | None = None
) -> list[Target]:
    targets = []
    by_n = {r.corpus.n: r for r in results}
    largest = max(results, key=lambda r: r.corpus.n) if results else None

    def at(result: Result) -> str:
        return "" if result.corpus.n == 1300 else f" (at N={result.corpus.n}; stated for N=1,300)"

    for command, limit in (("validate", VALIDATE_MAX_RATIO), ("coverage", COVERAGE_MAX_RATIO)):
        name = f"`{LABELS[command]}` within {limit:g}× the floor at N=1,300"
        if largest is None:
            targets.append(Target(name, "-", "not measured"))
            continue
        ratio = largest.wall(command) / largest.wall("floor")
        targets.append(
            Target(
                name,
                f"{ratio:.2f}× ({largest.wall(command):.2f} s vs {largest.wall('floor'):.2f} s)"
                + at(largest),
                "met" if ratio <= limit else f"missed by {ratio / limit:.2f}×",
            )
        )
    name = f"render time per plan constant within {RENDER_MAX_DRIFT:.0%} from N=100 to N=1,300"
    if 100 in by_n and 1300 in by_n:
        small = by_n[100].wall("render") / 100
        big = by_n[1300].wall("render") / 1300
        drift = big / small - 1
        cpu_small = by_n[100].cpu("render") / 100
        cpu_big = by_n[1300].cpu("render") / 1300
        targets.append(
            Target(
                name,
                f"wall {small * 1000:.1f} → {big * 1000:.1f} ms/plan ({drift:+.1%}); "
                f"CPU {cpu_small * 1000:.1f} → {cpu_big * 1000:.1f} ms/plan "
                f"({cpu_big / cpu_small - 1:+.1%})",
                "met"
                if abs(drift) <= RENDER_MAX_DRIFT
                else ("missed" if drift > 0 else "missed (faster at 1,300)"),
            )
        )
    else:
        targets.append(Target(name, "needs sizes 100 and 1300", "not measured"))
    name = "peak memory under 1 GB (10⁹ bytes) at N=1,300, every ctg command"
    if largest is None:
        targets.append(Target(name, "-", "not measured"))
    else:
        peaks = {c: largest.peak(c) for c in COMMANDS if c != "floor"}
        worst = max(peaks, key=peaks.get)
        targets.append(
            Target(
                name,
                ", ".join(f"{c} {p / MB:.0f} MB" for c, p in peaks.items()) + at(largest),
                "met"
                if peaks[worst] < PEAK_MAX_BYTES
                else f"missed by {peaks[worst] / PEAK_MAX_BYTES:.2f}× ({worst})",
            )
        )
    name = (
        f"single plan: `ctg validate plans/civraisien-2019` within {SINGLE_MAX_RATIO:g}× "
        "`ctg --version` (issue 11)"
    )
    if single is None:
        targets.append(Target(name, "-", "not measured"))
    else:
        targets.append(
            Target(
                name,
                f"{single.ratio:.2f}× ({statistics.median(single.validate) * 1000:.0f} ms vs "
                f"{statistics.median(single.version) * 1000:.0f} ms, median of {single.runs})",
                "met"
                if single.ratio <= SINGLE_MAX_RATIO
                else f"missed by {single.ratio / SINGLE_MAX_RATIO:.2f}×",
            )
        )
    name = (
        f"render CPU per plan within {RENDER_CPU_MAX_RATIO:g}× validate CPU per plan, "
        f"{CPU_PLANS} plans, `-j 1` (issue 12; informative)"
    )
    if cpu is None:
        targets.append(Target(name, "-", "not measured"))
    else:
        targets.append(
            Target(
                name,
                f"{cpu.ratio:.2f}× ({cpu.per_plan('render') * 1000:.0f} ms vs "
                f"{cpu.per_plan('validate') * 1000:.0f} ms of CPU per plan, median of "
                f"{len(cpu.render)})",
                "met"
                if cpu.ratio <= RENDER_CPU_MAX_RATIO
                else f"not met yet ({cpu.ratio / RENDER_CPU_MAX_RATIO:.2f}× over)",
            )
        )
    return targets


def rows(results: list[Result]) -> list[list[str]]:
    table = []
    for result in results:
        corpus = result.corpus
        floor_wall, floor_peak = result.wall("floor"), result.peak("floor")
        floor_cpu = result.cpu("floor")
        for command in COMMANDS:
            floor = command == "floor"
            files = corpus.yaml_files if floor else corpus.files
            size = corpus.yaml_bytes if floor else corpus.bytes
            wall = result.wall(command)
            table.append(
                [
                    f"{corpus.n:,}",
                    LABELS[command],
                    f"{files:,}",
                    f"{size / MB:.1f}",
                    str(len(result.runs[command])),
                    f"{wall:.2f}",
                    f"{wall / corpus.n * 1000:.1f}",
                    f"{result.cpu(command):.2f}",
                    f"{result.peak(command) / MB:.0f}",
                    "1.00" if floor else f"{wall / floor_wall:.2f}",
                    "1.00" if floor else f"{result.cpu(command) / floor_cpu:.2f}",
                    "1.00" if floor else f"{result.peak(command) / floor_peak:.2f}",
                    f"{result.other(command):.0%}",
                ]
            )
    return table


HEADER = [
    "N",
    "command",
    "files",
    "MB",
    "runs",
    "wall s",
    "ms/plan",
    "CPU s",
    "peak MB",
    "× floor (wall)",
    "× floor (CPU)",
    "× floor (peak)",
    "others' CPU",
]


def text_table(header: list[str], body: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 1 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, body)])


def markdown_table(header: list[str], body: list[list[str]], left: int = 2) -> str:
    align = ["---" if i < left else "---:" for i in range(len(header))]
    lines = [header, align, *body]
    return "\n".join("| " + " | ".join(row) + " |" for row in lines)


def markdown_report(
    results: list[Result],
    single: Single | None,
    cpu: CpuRatio | None,
    targets: list[Target],
    info: dict[str, str],
    argv: list[str],
    elapsed: float,
) -> str:
    corpus_rows = [
        [
            f"{r.corpus.n:,}",
            f"{r.corpus.files:,}",
            f"{r.corpus.bytes:,}",
            f"{r.corpus.yaml_files:,}",
            f"{r.corpus.yaml_bytes:,}",
            f"{r.corpus.bytes / r.corpus.n / 1000:.0f}",
        ]
        for r in results
    ]
    parts = [
        "# Benchmark results (issues 7, 11, 12): a national-scale corpus, measured against the "
        "floor",
        "",
        f"Measured on {info['Date']} with `python bench/{' '.join(argv)}` "
        f"({elapsed / 60:.1f} min in all). Method and how to re-run: [README.md](README.md).",
        "",
        "## Machine",
        "",
        *[f"- **{key}**: {value}" for key, value in info.items()],
        "",
        "## Targets",
        "",
        markdown_table(
            ["target", "measured", "status"],
            [
                [t.name, t.measured, f"**{t.status}**" if t.status != "met" else t.status]
                for t in targets
            ],
            left=3,
        ),
        "",
        "## Corpora",
        "",
        "Synthetic plans from `bench/generate.py` (seed "
        f"{generate.DEFAULT_SEED}, generator version {generate.GENERATOR_VERSION}), shaped like "
        "plans/civraisien-2019: about 90 objectives and 20 fiches per plan.",
        "",
        markdown_table(
            ["N", "files", "bytes", "YAML files", "YAML bytes", "kB/plan"], corpus_rows, left=1
        ),
        "",
        "## Figures",
        "",
        "Wall time is the median of the runs; CPU time (user + system of the process and the "
        "worker processes it waited for) likewise; peak memory is the highest, over the runs, "
        "of the summed RSS of the process tree sampled every 20 ms (shared pages of forked "
        "workers are counted in each, so this overstates). The floor reads the YAML files only "
        "(the files and MB columns say so), in one process; ctg also reads the Markdown "
        "narrative files and may use one worker per core. *Others' CPU* is the highest, over "
        "the runs, share of the machine's CPU capacity that other processes used meanwhile: "
        "well above 0 %, the figures of that row are disturbed.",
        "",
        markdown_table(HEADER, rows(results)),
        "",
    ]
    if single is not None:
        parts += [
            "## Single plan",
            "",
            f"Whole processes, interleaved, {single.runs} runs each after one warm-up:",
            "",
            markdown_table(
                ["command", "median ms", "min ms", "max ms"],
                [
                    [
                        f"`ctg {label}`",
                        *(f"{f(times) * 1000:.0f}" for f in (statistics.median, min, max)),
                    ]
                    for label, times in (
                        ("validate plans/civraisien-2019", single.validate),
                        ("--version", single.version),
                    )
                ],
                left=1,
            ),
            "",
        ]
    if cpu is not None:
        parts += [
            "## Render against validate (CPU, one worker)",
            "",
            f"The first {cpu.plans} plans of the corpus, `-j 1`, whole processes, interleaved, "
            f"{len(cpu.render)} runs each; CPU time (user + system) of the process. `ctg render` "
            "writes Markdown and HTML (its default).",
            "",
            markdown_table(
                ["command", "median CPU s", "CPU ms/plan", "min CPU s", "max CPU s"],
                [
                    [
                        f"`ctg {command} -j 1`",
                        f"{statistics.median(getattr(cpu, command)):.2f}",
                        f"{cpu.per_plan(command) * 1000:.0f}",
                        f"{min(getattr(cpu, command)):.2f}",
                        f"{max(getattr(cpu, command)):.2f}",
                    ]
                    for command in ("validate", "render")
                ],
                left=1,
            ),
            "",
            f"Ratio render / validate: {cpu.ratio:.2f}× (issue 12 asks for at most "
            f"{RENDER_CPU_MAX_RATIO:g}×).",
            "",
        ]
    return "\n".join(parts)


# --------------------------------------------------------------------------- main


#: Sections of RESULTS.md written by the other benchmarks (hostile.py, edit.py), by hand:
#: a new run of this one keeps them.
KEPT_SECTIONS = ("## Hostile input", "## Editing in place")


def _kept_sections(path: Path) -> str:
    """The sections of the previous report that other benchmarks wrote, to append."""
    try:
        previous = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    kept = []
    for part in previous.split("\n## ")[1:]:
        section = "## " + part
        if section.startswith(KEPT_SECTIONS):
            kept.append(section.rstrip("\n") + "\n")
    return "".join("\n" + section for section in kept)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"sizes are numbers separated by commas: {text!r}"
        ) from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark ctg validate, coverage and render against the YAML floor."
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[10, 100, 1300],
        help="comma-separated corpus sizes (default 10,100,1300)",
    )
    parser.add_argument(
        "--corpus-dir",
        type=Path,
        default=BENCH / "corpus",
        help="where corpora are generated and cached (default bench/corpus)",
    )
    parser.add_argument("--output", type=Path, help="write the results as Markdown here")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size below 1,000 (3)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs per size from 1,000 (1)")
    parser.add_argument(
        "--single-runs",
        type=int,
        default=10,
        help="runs of the single-plan comparison (10; 0 skips it)",
    )
    parser.add_argument(
        "--cpu-runs",
        type=int,
        default=3,
        help=f"runs of the render/validate CPU comparison on {CPU_PLANS} plans (3; 0 skips it)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each run, wait up to SECONDS for the machine to be idle (default 0)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.repeat_large < 1 or args.single_runs < 0 or args.cpu_runs < 0:
        parser.error(
            "--repeat and --repeat-large must be at least 1, --single-runs and --cpu-runs "
            "at least 0"
        )
    try:
        import psutil  # noqa: F401
    except ImportError:
        print("bench/run.py needs psutil: pip install psutil", file=sys.stderr)
        return 2

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    load_before = os.getloadavg()
    code_before = code_state()
    results: list[Result] = []
    single: Single | None = None
    cpu: CpuRatio | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="ctg-bench-") as scratch:
            work = Path(scratch)
            for n in args.sizes:
                corpus = prepare_corpus(n, args.corpus_dir)
                state = (
                    f"generated in {corpus.generated:.1f} s"
                    if corpus.generated is not None
                    else "cached"
                )
                log(
                    f"corpus N={n}: {corpus.path} ({state}), {corpus.files:,} files, "
                    f"{corpus.bytes / MB:.1f} MB"
                )
                repeat = args.repeat if n < LARGE else args.repeat_large
                results.append(bench_size(corpus, repeat, work, log, args.quiet_wait))
            if args.single_runs:
                single = bench_single(args.single_runs, log)
            if args.cpu_runs:
                cpu = bench_cpu(args.corpus_dir, args.cpu_runs, work, log, args.quiet_wait)
    except BenchError as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1
    targets = evaluate(results, single, cpu)
    elapsed = time.perf_counter() - started

    print(text_table(HEADER, rows(results)))
    if single is not None:
        print(
            f"\nsingle plan: ctg validate plans/civraisien-2019 "
            f"{statistics.median(single.validate) * 1000:.0f} ms, ctg --version "
            f"{statistics.median(single.version) * 1000:.0f} ms (median of {single.runs})"
        )
    if cpu is not None:
        print(
            f"render / validate CPU per plan, {cpu.plans} plans, -j 1: {cpu.ratio:.2f}× "
            f"({cpu.per_plan('render') * 1000:.0f} vs {cpu.per_plan('validate') * 1000:.0f} ms)"
        )
    print("\ntargets:")
    for target in targets:
        print(f"  [{target.status}] {target.name}: {target.measured}")
    if args.output is not None:
        shown = ["run.py", *(argv if argv is not None else sys.argv[1:])]
        report = markdown_report(
            results, single, cpu, targets, machine(load_before, code_before), shown, elapsed
        )
        args.output.write_text(report + _kept_sections(args.output), encoding="utf-8")
        log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
