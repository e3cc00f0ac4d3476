from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commons_fund.ledger.exports import fec_filename, write_fec
from commons_fund.members.models import Organisation


class Command(BaseCommand):
    help = "Write the FEC (Fichier des Écritures Comptables) of an organisation for a year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", required=True, help="the organisation's slug")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", help="file to write (default: the FEC file name)")

    def handle(self, *args: Any, owner: str, year: int, output: str | None, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=owner).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug {owner!r}.")
        if not 1900 <= year <= 2200:
            raise CommandError(f"{year} is not a plausible fiscal year.")
        path = output or fec_filename(organisation=organisation, year=year)
        with open(path, "wb") as file:
            count = write_fec(file, organisation=organisation, year=year)
        self.stdout.write(f"{count} lines written to {path}")
