// Ask the payer's bank to authenticate a payment (3-D Secure) with Stripe.js, then reload.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("confirm-payment");
  const result = document.getElementById("confirm-payment-result");
  if (!button || typeof Stripe === "undefined") return;
  const account = button.dataset.stripeAccount;  // the host's own Stripe account (Connect)
  const stripe = Stripe(button.dataset.publishableKey, account ? {stripeAccount: account} : {});
  button.addEventListener("click", async () => {
    button.disabled = true;
    const outcome = await stripe.confirmCardPayment(button.dataset.clientSecret);
    if (outcome.error) {
      result.textContent = outcome.error.message || String(outcome.error);
      button.disabled = false;
      return;
    }
    window.location.reload();
  });
});
