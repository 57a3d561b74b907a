"""Store fuzzing: random byte flips in copies of a real indexed store, then `similar`, `info` and, when damage is
reported, `likewise repair`. Every trial must end in the pristine results, a clear one-line message, or a
successful repair: never a traceback, a hang or silently different results.

    python -m tests.bench.bench_store_fuzz [--trials 200] [--seed 1]

Prints a table of outcomes; exits 1 if any trial ended badly. tests/test_robustness_fuzz.py runs a few trials.
"""
from __future__ import annotations

import argparse
import contextlib
import faulthandler
import io
import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from likewise.cli.main import main

QUERY = "Crossroads"  # a song of the demo library
GOOD = ("same results", "clear message", "damaged songs skipped with a warning", "repaired")
TRIAL_SECONDS = 120  # a trial still running after this is a hang: the process dumps its stacks and exits


def run_cli(args: list[str]) -> tuple[int | str, str, list[str]]:
    """main(args) in this process: (exit code or 'traceback', stdout, stderr lines)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: int | str = main(args)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException as error:  # noqa: BLE001 - a traceback is the outcome being counted
            code = "traceback"
            err.write(f"{type(error).__name__}: {error}\n")
    return code, out.getvalue(), err.getvalue().splitlines()


def similar_paths(db: Path) -> tuple[int | str, list[str] | None, list[str]]:
    """`likewise similar QUERY --json` on `db`: (exit code, result paths or None, stderr lines)."""
    code, out, err = run_cli(["similar", QUERY, "--json", "-n", "5", "--db", str(db)])
    paths = [item["path"] for item in json.loads(out)["results"]] if code == 0 and out.strip() else None
    return code, paths, err


def _one_clear_line(lines: list[str]) -> bool:
    errors = [line for line in lines if "skipping" not in line]
    return len(errors) == 1 and errors[0].startswith("likewise: ") and "Traceback" not in errors[0]


def flip_bytes(data: bytes, rng: np.random.Generator) -> bytes:
    """1 to 8 bytes XORed with random non-zero values at random offsets."""
    buffer = bytearray(data)
    for _ in range(int(rng.integers(1, 9))):
        buffer[int(rng.integers(len(buffer)))] ^= int(rng.integers(1, 256))
    return bytes(buffer)


def trial(pristine: bytes, expected: list[str], folder: Path, rng: np.random.Generator) -> tuple[str, str]:
    """One fuzz trial in `folder`: (outcome, detail)."""
    db = folder / "library.sqlite"
    db.write_bytes(flip_bytes(pristine, rng))
    faulthandler.dump_traceback_later(TRIAL_SECONDS, exit=True)
    try:
        info_code, _, info_err = run_cli(["info", "--db", str(db)])
        if info_code not in (0, 1) or (info_code == 1 and not _one_clear_line(info_err)):
            return "traceback", f"info: {info_code} {info_err[-1:]}"
        code, paths, err = similar_paths(db)
        if code == 0 and paths == expected:
            return "same results", ""
        if code == 0:
            if any("skipping" in line for line in err):
                return "damaged songs skipped with a warning", ""
            return "silently different results", f"{paths} != {expected}"
        if code != 1 or not _one_clear_line(err):
            return "traceback", f"similar: {code} {err[-3:]}"
        if "likewise repair" not in " ".join(err):
            return "clear message", err[-1]
        repair_code, repair_out, repair_err = run_cli(["repair", "--db", str(db)])
        if repair_code == 1 and _one_clear_line(repair_err):
            return "clear message", repair_err[-1]  # nothing could be salvaged, and it says so
        if repair_code != 0:
            return "traceback", f"repair: {repair_code} {repair_err[-3:]}"
        code, paths, err = similar_paths(db)
        if code == 0 or (code == 1 and _one_clear_line(err) and "damaged" not in " ".join(err)):
            return "repaired", repair_out.strip()
        return "repair failed", f"{code} {err[-3:]}"
    finally:
        faulthandler.cancel_dump_traceback_later()


def fuzz(store: Path, trials: int, seed: int, work: Path) -> Counter:
    """Run `trials` trials on copies of `store`; returns the count of each outcome (details of bad ones on stderr)."""
    pristine = store.read_bytes()
    code, expected, err = similar_paths(store)
    assert code == 0 and expected, err
    rng = np.random.default_rng(seed)
    outcomes: Counter = Counter()
    for number in range(trials):
        folder = work / f"trial-{number:04d}"
        folder.mkdir()
        outcome, detail = trial(pristine, expected, folder, rng)
        outcomes[outcome] += 1
        if outcome not in GOOD:
            print(f"trial {number}: {outcome}: {detail}", file=sys.stderr)
        shutil.rmtree(folder)
    return outcomes


def table(outcomes: Counter) -> str:
    """The outcome table, good outcomes first."""
    rows = [f"{'outcome':<40} {'trials':>6}"]
    for name in [*GOOD, *sorted(set(outcomes) - set(GOOD))]:
        rows.append(f"{name:<40} {outcomes.get(name, 0):>6}")
    return "\n".join(rows)


def _indexed_demo(work: Path) -> Path:
    from likewise.assets import DEMO_DIR
    from likewise.index.pipeline import Indexer

    music = work / "music"
    shutil.copytree(DEMO_DIR, music, ignore=shutil.ignore_patterns("*.md", "*.py"))
    db = work / "demo.sqlite"
    Indexer(music, db, jobs=2).run()
    return db


def main_bench() -> int:
    """Command line of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        outcomes = fuzz(_indexed_demo(work), args.trials, args.seed, work)
    print(table(outcomes))
    return 0 if set(outcomes) <= set(GOOD) else 1


if __name__ == "__main__":
    sys.exit(main_bench())
