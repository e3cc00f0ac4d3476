"""Screenshots of pages in a real headless browser (Debian's `chromium`), for reviewers to
look at. They go to tests/e2e/screenshots/ (git-ignored)."""

import shutil
import subprocess
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "screenshots"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def screenshot(url: str, name: str, *, width: int = 1280, height: int = 2000) -> Path:
    """Load `url` in headless Chromium and save a PNG named `name`; returns its path."""
    FOLDER.mkdir(exist_ok=True)
    path = FOLDER / f"{name}.png"
    path.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size={width},{height}",
            f"--screenshot={path}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=90,
    )
    return path
