"""Path converters shared by the apps' URLs."""

from django.urls import register_converter


class YearConverter:
    """A calendar year in an address, 1900-2199: anything else is a 404 before the view
    (a 30-digit "year" made the views fail)."""

    regex = "(?:19|20|21)[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


register_converter(YearConverter, "year")
