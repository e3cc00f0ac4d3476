"""The framework's ceiling for bench/http.py: a bare Django project whose one view returns
`?bytes=N` bytes, served by the same gunicorn as the real site."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-ceiling-only",  # noqa: S106 - a local benchmark only
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)


def sized(request):
    return HttpResponse(
        b"x" * int(request.GET.get("bytes", "1000")), content_type="text/html; charset=utf-8"
    )


urlpatterns = [path("", sized)]
application = get_wsgi_application()
