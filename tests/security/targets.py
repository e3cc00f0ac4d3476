"""For each named URL: the method the matrix uses and the arguments that reach an object of
the world (`world.py`). POST is used for views that only accept POST; the matrix posts an
empty form, which changes nothing whoever sends it."""


def _org(k):
    return {"slug": k["slug"]}


def _project(k):
    return {"slug": k["project"]}


def _pool(k):
    return {"slug": k["pool"]}


def _round(k):
    return {"slug": k["pool"], "number": k["round"]}


def _step(k):
    return {"slug": k["project"], "position": k["step"]}


TARGETS = {
    "healthz": ("GET", lambda k: {}),
    "metrics": ("GET", lambda k: {}),
    "cms:search": ("GET", lambda k: {}),
    "cms:actors": ("GET", lambda k: {}),
    "robots_txt": ("GET", lambda k: {}),
    "sitemap": ("GET", lambda k: {}),
    "cms:feed_results": ("GET", lambda k: {}),
    "cms:feed_commons": ("GET", lambda k: {}),
    "cms:feed_wall": ("GET", lambda k: {}),
    "stripe_webhook": ("POST", lambda k: {}),
    "reciprocity_contract_pdf": ("GET", lambda k: {"pk": k["contract"]}),
    # JSON API
    "api:api-root": ("GET", lambda k: {}),
    "api:schema": ("GET", lambda k: {}),
    "api:docs": ("GET", lambda k: {}),
    "api:organisation-list": ("GET", lambda k: {}),
    "api:organisation-detail": ("GET", _org),
    "api:organisation-finances": ("GET", _org),
    "api:project-list": ("GET", lambda k: {}),
    "api:project-detail": ("GET", _project),
    "api:project-contributions": ("POST", _project),
    "api:project-decision": ("POST", lambda k: {"slug": k["project"], "pk": k["source"]}),
    "api:project-lines": ("POST", lambda k: {"slug": k["project"], "position": k["step"]}),
    "api:project-sources": ("POST", _project),
    "api:project-steps": ("POST", _project),
    "api:pool-list": ("GET", lambda k: {}),
    "api:pool-detail": ("GET", _pool),
    "api:round-list": ("GET", lambda k: {}),
    "api:round-detail": ("GET", lambda k: {"pk": k["round_pk"]}),
    "api:round-ballot": ("POST", lambda k: {"pk": k["round_pk"]}),
    "api:round-candidacies": ("POST", lambda k: {"pk": k["round_pk"]}),
    "api:round-results": ("GET", lambda k: {"pk": k["round_pk"]}),
    "api:pledge-list": ("GET", lambda k: {}),
    "api:pledge-detail": ("PATCH", lambda k: {"pk": k["pledge"]}),
    "api:reciprocity-contract-list": ("GET", lambda k: {}),
    "api:reciprocity-contract-detail": ("GET", lambda k: {"pk": k["contract"]}),
    "api:reciprocity-wall-list": ("GET", lambda k: {}),
    "api:reciprocity-policy-list": ("GET", lambda k: {}),
    # members
    "members:my_space": ("GET", lambda k: {}),
    "members:api_token": ("POST", lambda k: {}),
    "members:email_preferences": ("GET", lambda k: {}),
    "members:postal_address": ("GET", lambda k: {}),
    "payments:my_payments": ("GET", lambda k: {}),
    "payments:payment_receipt": ("GET", lambda k: {"pk": k["paid_charge"]}),
    "payments:my_payment_method_remove": ("POST", lambda k: {"pk": k["saved_method"]}),
    "payments:tax_receipt_pdf": ("GET", lambda k: {"pk": k["tax_receipt"]}),
    "payments:tax_receipts": ("GET", lambda k: {"slug": k["slug"]}),
    "payments:payment_method_remove": (
        "POST",
        lambda k: {"slug": k["slug"], "pk": k["saved_method"]},
    ),
    "members:calendar_key_renew": ("POST", lambda k: {}),
    "pledges:person_calendar": ("GET", lambda k: {"key": k["calendar_key"]}),
    "members:unsubscribe": ("GET", lambda k: {"token": k["unsubscribe"]}),
    "members:organisation_list": ("GET", lambda k: {}),
    "members:organisation_create": ("GET", lambda k: {}),
    "members:organisation_detail": ("GET", _org),
    "members:organisation_edit": ("GET", _org),
    "members:organisation_leave": ("GET", _org),
    "members:organisation_members": ("GET", _org),
    "members:membership_role": ("POST", lambda k: {"slug": k["slug"], "pk": k["membership"]}),
    "members:membership_remove": ("POST", lambda k: {"slug": k["slug"], "pk": k["membership"]}),
    "members:invitation_revoke": ("POST", lambda k: {"slug": k["slug"], "pk": k["invitation"]}),
    "members:invitation": ("GET", lambda k: {"token": k["token"]}),
    # ledger and finances
    "ledger:books": ("GET", _org),
    "ledger:fec": ("GET", lambda k: {"slug": k["slug"], "year": "2026"}),
    "ledger:csv": ("GET", lambda k: {"slug": k["slug"], "year": "2026"}),
    "finances:public": ("GET", _org),
    "finances:manage": ("GET", _org),
    "finances:year_create": ("GET", _org),
    "finances:year_edit": ("GET", lambda k: {"slug": k["slug"], "year": 2025}),
    "finances:year_delete": ("POST", lambda k: {"slug": k["slug"], "year": 2025}),
    "finances:import": ("GET", _org),
    "finances:model_csv": ("GET", _org),
    "finances:publish": ("POST", _org),
    "finances:rebate": ("GET", _org),
    # payments
    "payments:charge_confirm": ("GET", lambda k: {"pk": k["charge"]}),
    "payments:give": ("GET", _org),
    "payments:treasury": ("GET", _org),
    "payments:bank_account": ("GET", _org),
    "payments:gift_thanks": ("GET", lambda k: {"token": "not-a-signed-gift"}),
    "payments:monthly_gift": ("POST", lambda k: {"token": "not-a-signed-gift"}),
    "payments:stripe_connect": ("POST", _org),
    "payments:stripe_connect_onboarding": ("GET", _org),
    "payments:stripe_connect_return": ("GET", _org),
    "payments:bank_account_confirm": ("POST", _org),
    "payments:payment_methods": ("GET", _org),
    "payments:charge_receipt": ("GET", lambda k: {"slug": k["slug"], "pk": k["charge"]}),
    "payments:charge_refund": ("GET", lambda k: {"slug": k["slug"], "pk": k["charge"]}),
    "payments:payouts_export": ("POST", _org),
    "payments:payout_batch_xml": ("GET", lambda k: {"slug": k["slug"], "pk": k["batch"]}),
    "payments:payout_batch_paid": ("POST", lambda k: {"slug": k["slug"], "pk": k["batch"]}),
    # commons projects
    "projects:project_list": ("GET", lambda k: {}),
    "projects:project_create": ("GET", lambda k: {}),
    "projects:project_detail": ("GET", _project),
    "projects:project_give": ("GET", _project),
    "projects:project_card": ("GET", _project),
    "projects:project_embed": ("GET", _project),
    "projects:project_manage": ("GET", _project),
    "projects:project_edit": ("GET", _project),
    "projects:step_create": ("GET", _project),
    "projects:step_edit": ("GET", _step),
    "projects:step_status": ("POST", _step),
    "projects:line_add": ("POST", _step),
    "projects:line_remove": ("POST", lambda k: {**_step(k), "pk": k["line"]}),
    "projects:step_revise": ("GET", _step),
    "projects:source_create": ("GET", _project),
    "projects:source_decide": ("GET", lambda k: {"slug": k["project"], "pk": k["source"]}),
    "projects:source_receive": ("GET", lambda k: {"slug": k["project"], "pk": k["source"]}),
    "projects:contribution_create": ("GET", _project),
    "projects:contributor_payment": ("GET", _project),
    # pools and rounds
    "pledges:pool_list": ("GET", lambda k: {}),
    "pledges:pool_create": ("GET", lambda k: {}),
    "pledges:pool_detail": ("GET", _pool),
    "pledges:pool_calendar": ("GET", _pool),
    "pledges:pool_edit": ("GET", _pool),
    "pledges:college_add": ("POST", _pool),
    "pledges:pool_commons_add": ("POST", _pool),
    "pledges:pool_commons_remove": (
        "POST",
        lambda k: {"slug": k["pool"], "project": k["project"]},
    ),
    "pledges:membership_approve": (
        "POST",
        lambda k: {"slug": k["pool"], "pk": k["pool_membership"]},
    ),
    "pledges:pool_join": ("POST", _pool),
    "pledges:pledge_create": ("GET", _pool),
    "pledges:payment_method_add": ("GET", _pool),
    "pledges:round_schedule": ("POST", _pool),
    "pledges:my_pledges": ("GET", lambda k: {}),
    "pledges:pledge_method": ("POST", lambda k: {"pk": k["pledge"]}),
    "pledges:pledge_change": ("POST", lambda k: {"pk": k["pledge"]}),
    "pledges:pledge_status": ("POST", lambda k: {"pk": k["pledge"]}),
    "pledges:round_detail": ("GET", _round),
    "pledges:round_vote": ("POST", _round),
    "pledges:round_receipts": ("GET", _round),
    "pledges:round_nominate": ("POST", _round),
    "pledges:round_nominable": ("GET", _round),
    "pledges:round_action": ("POST", lambda k: {**_round(k), "action": "cancel"}),
    "pledges:round_collections": ("GET", _round),
    "pledges:collection_action": (
        "POST",
        lambda k: {**_round(k), "pk": k["collection"], "action": "retry"},
    ),
    # reciprocity
    "reciprocity:wall": ("GET", lambda k: {}),
    "reciprocity:contract_detail": ("GET", lambda k: {"pk": k["contract"]}),
    "reciprocity:contract_accept": ("POST", lambda k: {"pk": k["contract"]}),
    "reciprocity:contract_create": ("GET", lambda k: {}),
    "reciprocity:contract_propose": ("POST", lambda k: {"pk": k["contract"]}),
    "reciprocity:declaration_create": ("POST", lambda k: {"pk": k["contract"]}),
    "reciprocity:declaration_correct": (
        "POST",
        lambda k: {"pk": k["contract"], "declaration_pk": k["declaration"]},
    ),
    "reciprocity:declaration_pay": (
        "POST",
        lambda k: {"pk": k["contract"], "declaration_pk": k["declaration"]},
    ),
    "reciprocity:organisation": ("GET", _org),
    # The partner's badges (the world's organisation has none: it answers 404 to everyone).
    "reciprocity:reciprocity_badge": ("GET", lambda k: {"slug": "data-patch"}),
    "reciprocity:one_percent_badge": ("GET", lambda k: {"slug": "data-patch"}),
    "reciprocity:contract_state": ("POST", lambda k: {"pk": k["contract"]}),
    "reciprocity:contract_terminate": ("GET", lambda k: {"pk": k["contract"]}),
    "reciprocity:policy_set": ("POST", _org),
    "reciprocity:certificate": ("GET", lambda k: {"slug": k["slug"], "year": 2026}),
}
