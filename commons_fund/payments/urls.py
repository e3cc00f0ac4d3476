from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("payments/charges/<int:pk>/confirm/", views.charge_confirm, name="charge_confirm"),
    path("my/payments/", views.my_payments, name="my_payments"),
    path("my/payments/<int:pk>/receipt.pdf", views.payment_receipt, name="payment_receipt"),
    path("my/tax-receipts/<int:pk>.pdf", views.tax_receipt_pdf, name="tax_receipt_pdf"),
    path(
        "organisations/<slug:slug>/treasury/tax-receipts/", views.tax_receipts, name="tax_receipts"
    ),
    path(
        "my/payments/methods/<int:pk>/remove/",
        views.my_payment_method_remove,
        name="my_payment_method_remove",
    ),
    path("organisations/<slug:slug>/give/", views.give, name="give"),
    path("gifts/<str:token>/", views.gift_thanks, name="gift_thanks"),
    path("gifts/monthly/<str:token>/", views.monthly_gift, name="monthly_gift"),
    path("organisations/<slug:slug>/treasury/", views.treasury, name="treasury"),
    path(
        "organisations/<slug:slug>/treasury/bank-account/", views.bank_account, name="bank_account"
    ),
    path("organisations/<slug:slug>/treasury/stripe/", views.stripe_connect, name="stripe_connect"),
    path(
        "organisations/<slug:slug>/treasury/stripe/onboarding/",
        views.stripe_connect_onboarding,
        name="stripe_connect_onboarding",
    ),
    path(
        "organisations/<slug:slug>/treasury/stripe/return/",
        views.stripe_connect_return,
        name="stripe_connect_return",
    ),
    path(
        "organisations/<slug:slug>/treasury/bank-account/confirm/",
        views.bank_account_confirm,
        name="bank_account_confirm",
    ),
    path(
        "organisations/<slug:slug>/treasury/payment-methods/",
        views.payment_methods,
        name="payment_methods",
    ),
    path(
        "organisations/<slug:slug>/treasury/payment-methods/<int:pk>/remove/",
        views.payment_method_remove,
        name="payment_method_remove",
    ),
    path(
        "organisations/<slug:slug>/treasury/charges/<int:pk>/receipt/",
        views.charge_record_receipt,
        name="charge_receipt",
    ),
    path(
        "organisations/<slug:slug>/treasury/charges/<int:pk>/refund/",
        views.charge_refund,
        name="charge_refund",
    ),
    path(
        "organisations/<slug:slug>/treasury/payouts/export/",
        views.payouts_export,
        name="payouts_export",
    ),
    path(
        "organisations/<slug:slug>/treasury/payouts/files/<int:pk>/",
        views.payout_batch_xml,
        name="payout_batch_xml",
    ),
    path(
        "organisations/<slug:slug>/treasury/payouts/files/<int:pk>/paid/",
        views.payout_batch_paid,
        name="payout_batch_paid",
    ),
]
