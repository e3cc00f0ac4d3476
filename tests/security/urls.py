"""Every named URL of the project's own apps, read from the URL conf."""

from django.urls import URLPattern, URLResolver, get_resolver

OWN_NAMESPACES = {
    "members",
    "ledger",
    "finances",
    "payments",
    "projects",
    "pledges",
    "reciprocity",
    "cms",
    "api",
}
OWN_NAMES = {
    "healthz",
    "metrics",
    "stripe_webhook",
    "reciprocity_contract_pdf",
    "robots_txt",
    "sitemap",
}


def project_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    [*namespaces, pattern.namespace] if pattern.namespace else namespaces,
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = ":".join([*namespaces, pattern.name])
                if (namespaces and namespaces[0] in OWN_NAMESPACES) or name in OWN_NAMES:
                    names.add(name)

    walk(get_resolver().url_patterns, [])
    return names
