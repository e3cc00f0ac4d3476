"""#22: the public face in a real browser, at 1280 and 390 px: the actors' page, the wall
with its badges, a commons' card embedded in a plain HTML page of another site (with the
code the commons' page gives to copy), the finances page. axe-core finds no violation on
any of them. The screenshots go to tests/e2e/screenshots/, or to docs/screenshots/ with
DOCS_SCREENSHOTS=1 (`make screenshots`)."""

import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image

from .conftest import Journey
from .screenshots import FOLDER

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (1280, 390)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def other_site(tmp_path):
    """A plain static site on another origin (another port), as an association's would be."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _plain_page(frame_code: str, image_code: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Association du bocage</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; margin: 1rem; max-width: 40rem">
<main>
<h1>Nous soutenons Movilab</h1>
<p>Un cadre copié depuis la page du commun :</p>
{frame_code}
<p>Et l’image, qui mène à la page du commun :</p>
{image_code}
</main>
</body>
</html>
"""


def _violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [
        f"{page.url} {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:4]}"
        for v in found
    ]


def _shoot(page, name: str) -> None:
    """A full-page screenshot; for docs/, with a palette of 256 colours (a third the size)."""
    docs = bool(os.environ.get("DOCS_SCREENSHOTS"))
    path = (DOCS if docs else FOLDER) / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=path, full_page=True)
    if docs:
        Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)


def test_the_public_face_at_both_widths_with_no_accessibility_violation(
    demo, browser, live_server, other_site
):
    folder, origin = other_site
    problems, violations = [], []
    for width in WIDTHS:
        context = browser.new_context(
            base_url=live_server.url, locale="fr-FR", viewport={"width": width, "height": 900}
        )
        tab = Journey(context.new_page(), f"public-{width}")
        page = tab.page
        page.goto("/fr/communs/movilab/")
        frame_code = page.locator("textarea[id^=embed-frame]").input_value()
        image_code = page.locator("textarea[id^=embed-image]").input_value()
        (folder / "index.html").write_text(_plain_page(frame_code, image_code))
        for name, address in (
            ("actors", "/fr/actors/"),
            ("wall", "/fr/reciprocity/"),
            ("finances", "/fr/comptes-ouvaton/"),
            ("embedded-card", f"{origin}/index.html"),
            ("card-frame", "/fr/commons/movilab/embed/"),
        ):
            page.goto(address)
            page.wait_for_load_state("networkidle")
            violations += _violations(page)
            if name == "embedded-card":
                card = page.frame_locator("iframe").get_by_role("heading", name="Movilab")
                assert card.is_visible()
                assert page.locator("img[src$='card.svg']").evaluate("i => i.naturalWidth") == 400
            if name != "card-frame":
                _shoot(page, f"{name}-{width}")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        problems += tab.problems
        context.close()
    assert violations == [], "axe-core:\n" + "\n".join(violations)
    assert problems == [], problems


def test_axe_finds_a_planted_violation(browser):
    """The check above can fail: an image without text and a button without a name."""
    page = browser.new_page()
    page.set_content(
        '<html lang="fr"><head><title>Faute</title></head><body><main>'
        '<img src="data:,"><button></button></main></body></html>'
    )
    found = " ".join(_violations(page))
    page.close()
    assert "image-alt" in found and "button-name" in found
