from django.core.management.base import BaseCommand

from pledges.rounds import rounds_advance


class Command(BaseCommand):
    help = "Move every round whose deadline passed (what Celery beat does every 5 minutes)."

    def handle(self, *args, **options) -> None:
        moved = rounds_advance()
        self.stdout.write(f"{moved} round(s) moved on.")
