"""The model runtime: LiteRT (model.tflite) against today's Keras on TensorFlow (model.keras), in one run.

Measures, for each runtime, in fresh processes:
- installed size: the packages likewise needs (pyproject's dependencies, closed over what they require), with the
  runtime being TensorFlow + Keras (today) or ai-edge-litert; both must be installed in this environment;
- model load: importing the runtime and loading the shipped model (goal < 0.5 s);
- an outside-file `likewise similar FILE` on the indexed demo library, wall time of the whole command (goal < 2 s);
- the embedding process's resident memory (VmRSS in /proc/self/status) after indexing the demo library (< 400 MB).

    python -m tests.bench.bench_runtime [--runs 3]     (Python 3.11+, Linux)
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from likewise.assets import DEMO_DIR

REPO = Path(__file__).resolve().parents[2]
RUNTIMES = {"keras": ["keras", "tensorflow-cpu"], "litert": ["ai-edge-litert"]}  # today first
TODAY, NEW = RUNTIMES

# Each child forces its runtime, then runs one job; argv: runtime, job, job arguments.
CHILD = """
import sys, time
started = time.perf_counter()
from likewise.model import embedder
embedder.default_runtime = lambda model_dir: sys.argv[1]
job, args = sys.argv[2], sys.argv[3:]
if job == "load":
    embedder.load_embedder()
    print(time.perf_counter() - started)
elif job == "similar":
    from likewise.cli.main import main
    sys.exit(main(["similar", *args]))
else:
    from pathlib import Path
    from likewise.index.pipeline import Indexer
    Indexer(Path(args[0]), Path(args[1]), jobs=2).run()
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    print(*(int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")))
"""


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", requirement).lower()


def closure(roots: list[str]) -> set[str]:
    """The installed distributions `roots` need, transitively (extras ignored, markers evaluated here)."""
    seen: set[str] = set()
    todo = [_name(root) for root in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(_name(requirement.name))
    return seen


def installed_mb(names: set[str]) -> float:
    """Size on disk of the files the distributions installed."""
    total = 0
    for name in names:
        for file in metadata.distribution(name).files or []:
            path = Path(file.locate())
            total += path.stat().st_size if path.is_file() else 0
    return total / 2**20


def installed_sizes() -> dict[str, tuple[float, float]]:
    """Per runtime: (MB of the runtime's own packages, MB of everything likewise needs with that runtime)."""
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    runtime_names = {_name(n) for names in RUNTIMES.values() for n in names} | {"tensorflow"}
    base = closure([Requirement(d).name for d in declared if _name(Requirement(d).name) not in runtime_names])
    sizes = {}
    for runtime, roots in RUNTIMES.items():
        own = closure(roots) - base
        sizes[runtime] = (installed_mb(own), installed_mb(own | base))
    return sizes


def child(runtime: str, job: str, *args: str) -> tuple[float, str]:
    """Run a child job with `runtime`: (wall seconds, its stdout)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", CHILD, runtime, job, *args], cwd=REPO, capture_output=True,
                            text=True, check=True)
    return time.perf_counter() - started, result.stdout


def demo_library(workdir: Path) -> tuple[Path, Path]:
    """The demo library without one song, copied to `workdir`: (music folder, the song left outside)."""
    music = workdir / "music"
    shutil.copytree(DEMO_DIR, music, ignore=shutil.ignore_patterns("*.md", "*.py"))
    outside = workdir / "outside.mp3"
    shutil.move(sorted(music.rglob("*.mp3"))[0], outside)
    return music, outside


def report(label: str, today: float, new: float, unit: str, goal: str) -> None:
    """One line: today's figure, the new one, their ratio, and the goal."""
    print(f"{label:<32} {today:9.2f} {unit:<3} {new:9.2f} {unit:<3} {today / new:6.1f}x   {goal}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per measurement (median)")
    args = parser.parse_args()
    sizes = installed_sizes()
    with tempfile.TemporaryDirectory() as tmp:
        music, outside = demo_library(Path(tmp))
        figures: dict[str, dict[str, float]] = {}
        for runtime in RUNTIMES:
            db = Path(tmp) / f"{runtime}.sqlite"
            rss, peak = map(float, child(runtime, "index", str(music), str(db))[1].split())
            loads = [float(child(runtime, "load")[1]) for _ in range(args.runs)]
            similar = [child(runtime, "similar", str(outside), "--db", str(db))[0] for _ in range(args.runs)]
            figures[runtime] = {"load": statistics.median(loads), "similar": statistics.median(similar),
                                "rss": rss, "peak": peak}
    print(f"{'':<32} {'today (' + TODAY + ')':>13} {'new (' + NEW + ')':>13} {'ratio':>7}   goal")
    report("runtime packages", sizes[TODAY][0], sizes[NEW][0], "MB", "")
    report("likewise's packages in all", sizes[TODAY][1], sizes[NEW][1], "MB", "ratio >= 2")
    report("model load (import + load)", figures[TODAY]["load"], figures[NEW]["load"], "s", "new < 0.5 s")
    report("likewise similar OUTSIDE-FILE", figures[TODAY]["similar"], figures[NEW]["similar"], "s", "new < 2 s")
    report("RSS after indexing the demo", figures[TODAY]["rss"], figures[NEW]["rss"], "MB", "new < 400 MB")
    report("peak RSS (VmHWM)", figures[TODAY]["peak"], figures[NEW]["peak"], "MB", "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
