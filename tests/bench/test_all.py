"""`make bench` tells the truth (#24): a bench that fails, misses an aim or runs past its
limit keeps its row in the summary, says so, and makes the run exit non-zero."""

import importlib.util
import sys

from tests.helpers import ROOT

spec = importlib.util.spec_from_file_location("bench_all", ROOT / "bench" / "all.py")
bench_all = importlib.util.module_from_spec(spec)
sys.modules["bench_all"] = bench_all
spec.loader.exec_module(bench_all)

SCRIPTS = {
    "fine": 'print("tally: 0.4 s — within the 2 s aim")\nprint("aim ≤ 200 ms: met")',
    "slow": 'print("quadratic funding: 900 ms (aim ≤ 200 ms: NOT met)")',
    "flagged": 'print("pool list  4.0× aim ≤ 1.5×: NOT met")\nraise SystemExit(1)',
    "crash": 'print("ratio ledger / pgbench: 0.31")\nraise SystemExit("database is gone")',
    "stuck": 'import time\nprint("started", flush=True)\ntime.sleep(30)',
}


def test_every_bench_keeps_its_row_and_its_verdict(tmp_path):
    outcomes = []
    for name, code in SCRIPTS.items():
        script = tmp_path / f"{name}.py"
        script.write_text(code)
        outcomes.append(bench_all.run(name, [str(script)], limit=3))
    assert [outcome.status for outcome in outcomes] == [
        "ok",
        "aim MISSED",
        "aim MISSED",  # a bench that exits 1 because it missed its aims
        "FAILED (1)",
        "TIMED OUT",
    ]
    lines = bench_all.summary(outcomes)
    table = "\n".join(lines)
    for name in SCRIPTS:
        assert f"\n{name} " in f"\n{table}"
    assert "error: database is gone" in table  # a crashed bench's lines do not vanish
    assert "ratio ledger / pgbench: 0.31" in table
    assert "error: stopped after 3 s" in table
    assert lines[-1] == "1 of 5 benches ok; not ok: slow, flagged, crash, stuck"
    assert table.count("error:") == 2  # the crash and the time limit, not the missed aims
    rows = [line for line in lines if line.split(" ")[0] in SCRIPTS]
    assert len(rows) == 5 and all("→" in row for row in rows)  # load average before → after
