"""Badges that organisations put on their own sites: a small SVG in two parts, what it is
about and where it stands ("Partenaire réciprocité | à jour"), drawn from the data at each
request (then kept by the page cache and a CDN like any public page)."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

CHARACTER = 7  # pixels a character takes at 12 px (DejaVu Sans, Verdana): the text is fitted
PADDING = 10
HEIGHT = 22
TONES = {"good": "#17623f", "late": "#9a3412"}


def badge_response(*, label: str, value: str, tone: str = "good") -> HttpResponse:
    """An SVG badge `label | value` (the value on the tone's colour), readable by screen
    readers through its title, cacheable by anyone (`Cache-Control: public`)."""
    left = len(label) * CHARACTER + 2 * PADDING
    right = len(value) * CHARACTER + 2 * PADDING
    svg = render_to_string(
        "badges/badge_svg.html",
        {
            "label": label,
            "value": value,
            "title": _("%(label)s: %(value)s") % {"label": label, "value": value},
            "colour": TONES[tone],
            "left": left,
            "right": right,
            "width": left + right,
            "height": HEIGHT,
            "label_length": left - 2 * PADDING,
            "value_length": right - 2 * PADDING,
            "label_x": PADDING,
            "value_x": left + PADDING,
        },
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
