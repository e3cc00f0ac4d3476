"""What projects tell the layers above (which connect receivers in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent with `project` inside the transaction that creates it through `project_create` (a
# commons made by its maintainers): a receiver's writes commit or roll back with it.
project_created = Signal()
