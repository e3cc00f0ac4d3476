"""gunicorn's settings for the site, read from the working directory (the repository root
in development, /app in the image, /opt/commons-fund under systemd); the command line adds
the address and the number of workers.

The site is loaded once, in the master, before the workers are forked: its modules and
the objects built at import (Wagtail, Django REST framework, Stripe, reportlab...) stay in
pages every worker shares, so that a worker costs only what it writes (#24, measured by
bench/memory.py). Those objects are then moved out of the garbage collector's reach
(`gc.freeze`): collecting them would write to every page holding one and copy it into each
worker. New code is taken by restarting gunicorn (a HUP reloads the workers, not the code
the master loaded).
"""

import gc

from django.template import engines
from django.urls import get_resolver

preload_app = True


def when_ready(server: object) -> None:
    """In the master, once the site is loaded: what Django would otherwise load in each
    worker at its first request (the URLs and every view module behind them, the template
    engines), then the freeze."""
    get_resolver().url_patterns  # noqa: B018 - imports the views
    engines.all()
    gc.freeze()
