"""Writes of reciprocity: contracts, revenue declarations (and their corrections),
revenue-share policies, one module each. Each is atomic and checks who may act; callers use
`from reciprocity import services` and the names below."""

from .contracts import (
    contract_accept,
    contract_create,
    contract_party,
    contract_propose,
    contract_set_state,
    due_for,
    termination_end,
)
from .declarations import (
    REMINDER_DAYS,
    declaration_correct,
    declaration_create,
    declaration_follow_charge,
    declaration_pay,
    declarations_follow_charges,
    declarations_remind,
)
from .fields import MONEY_ROLES
from .policies import (
    policy_set,
)

__all__ = [
    "MONEY_ROLES",
    "REMINDER_DAYS",
    "contract_accept",
    "contract_create",
    "contract_party",
    "contract_propose",
    "contract_set_state",
    "declaration_correct",
    "declaration_create",
    "declaration_follow_charge",
    "declaration_pay",
    "declarations_follow_charges",
    "declarations_remind",
    "due_for",
    "policy_set",
    "termination_end",
]
