"""Gitcoin's quadratic funding calculator (github.com/gitcoinco/qf-calculator), the peer of
`bench/voting.py`'s quadratic funding: its `fundingutils.py` is read at run time from a
clone of that repository, never copied here (it is not published as a package).

Where the clone is looked for, first found: $QF_CALCULATOR, `var/peers/qf-calculator`, then
the snapshot the tool library of the project's machines keeps
(`/work/.mirror/gitcoinco+qf-calculator/repo`, a bare repository). To measure elsewhere:

    git clone https://github.com/gitcoinco/qf-calculator var/peers/qf-calculator

Its module imports Streamlit for one decorator, `st.cache_resource`, which would hand back
the first result to every later call with the same arguments: a stand-in module makes it
return the function as it is, so that each call computes. pandas and numpy, which it
imports, come with the development lock.
"""

import os
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACES = (
    os.environ.get("QF_CALCULATOR", ""),
    str(ROOT / "var" / "peers" / "qf-calculator"),
    "/work/.mirror/gitcoinco+qf-calculator/repo",
)


def _git(place: str, *arguments: str) -> str:
    return subprocess.run(  # a work tree or a bare repository alike
        ["git", "-C", place, *arguments],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def load() -> tuple[types.ModuleType | None, str]:
    """The calculator's module and where it was read (commit included), or None and why."""
    for place in filter(None, PLACES):
        if not Path(place).is_dir():
            continue
        try:
            source = _git(place, "show", "HEAD:fundingutils.py")
            commit = _git(place, "rev-parse", "--short", "HEAD").strip()
        except (OSError, subprocess.CalledProcessError):
            continue
        streamlit = types.ModuleType("streamlit")
        streamlit.cache_resource = lambda **_options: lambda function: function  # type: ignore[attr-defined]
        sys.modules.setdefault("streamlit", streamlit)
        module = types.ModuleType("fundingutils")
        exec(compile(source, f"{place}/fundingutils.py", "exec"), module.__dict__)  # noqa: S102
        return module, f"{place} at {commit}"
    return None, "no clone found (see bench/qf_calculator.py)"
