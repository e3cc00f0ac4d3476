from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

UNPREFIXED_PATHS = (
    "/api/",
    "/healthz",
    "/cms/",
    "/django-admin/",
    "/static/",
    "/media/",
    "/payments/stripe/",
    "/reciprocity/contracts/",
)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, minus the redirect of a 404 to /fr/... for paths that live
    outside the language prefixes (the Wagtail catch-all would accept any such redirect)."""

    def process_response(self, request, response):
        if request.path_info.startswith(UNPREFIXED_PATHS):
            return response
        return super().process_response(request, response)
