// Save a card with Stripe.js: the browser confirms the SetupIntent with the card element
// (the card number never reaches our server), then the form sends the SetupIntent's id.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("card-form");
  const errors = document.getElementById("card-errors");
  if (!form || typeof Stripe === "undefined") return;
  // The card is saved on the Stripe account of the host it pays (Connect).
  const account = form.dataset.stripeAccount;
  const stripe = Stripe(form.dataset.publishableKey, account ? {stripeAccount: account} : {});
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", async (event) => {
    if (form.elements.setup_intent.value) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const outcome = await stripe.confirmCardSetup(form.dataset.clientSecret, {
      payment_method: {card: card, billing_details: {name: form.dataset.holder}},
    });
    if (outcome.error) {
      errors.textContent = outcome.error.message || String(outcome.error);
      errors.hidden = false;
      button.disabled = false;
      return;
    }
    form.elements.setup_intent.value = outcome.setupIntent.id;
    form.submit();
  });
});
