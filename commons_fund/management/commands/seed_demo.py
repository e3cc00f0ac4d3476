from django.core.management.base import BaseCommand
from django.db import transaction

from cms import demo as cms_demo
from commons_fund.finances import demo as finances_demo
from commons_fund.members import demo as members_demo
from commons_fund.payments import demo as payments_demo
from pledges import demo as pledges_demo
from projects import demo as projects_demo
from reciprocity import demo as reciprocity_demo


class Command(BaseCommand):
    help = "Create the demo data (idempotent: running it again changes nothing)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            logins = members_demo.seed()
            payments_demo.seed()
            projects_demo.seed()
            pledges_demo.seed()
            finances_demo.seed()
            reciprocity_demo.seed()
            cms_demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins (email / password):"))
        for login in logins:
            self.stdout.write(f"  {login}")
