import { registry } from "@web/core/registry";

/**
 * The customer pays with a wallet (Google Pay) on a pay page opened under the business's own
 * domain name, which Odoo registered on the connected Stripe account: Stripe.js (the
 * emulator's stand-in) offers the wallet only there.
 *
 * The pay page loads no tour runner, so the tour starts on the customer portal's page of the
 * invoice, on the same host, and opens the email's link (``pay_link`` in the address's
 * fragment) in a full-page frame of that origin.
 */
const PAGE = ".o_stripe_wallet_frame:iframe";

registry.category("web_tour.tours").add("account_stripe_connect_pay_wallet_tour", {
    steps: () => [
        {
            content: "The portal is opened under the business's domain name",
            trigger: "a.o_stripe_portal_pay",
            run() {
                if (window.location.hostname !== "pay.example.com") {
                    throw new Error(`opened on ${window.location.hostname}, not pay.example.com`);
                }
            },
        },
        {
            content: "The customer follows the pay link of the invoice email",
            trigger: "body",
            run() {
                const params = new URLSearchParams(window.location.hash.slice(1));
                const frame = document.createElement("iframe");
                frame.className = "o_stripe_wallet_frame";
                frame.title = "Pay page";
                frame.style.cssText =
                    "position: fixed; inset: 0; width: 100%; height: 100%; border: 0; z-index: 2000; background: #fff;";
                frame.src = params.get("pay_link");
                document.body.appendChild(frame);
            },
        },
        {
            content: "Stripe.js offers Google Pay and Apple Pay on this registered domain",
            trigger: `${PAGE} .o_stripe_emulator_element[data-mode=payment][data-wallets~=google_pay][data-wallets~=apple_pay]`,
        },
        {
            content: "The customer picks Google Pay",
            trigger: `${PAGE} select.o_stripe_emulator_pm:has(option[value=google_pay])`,
            run() {
                this.anchor.value = "google_pay";
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "and presses Pay",
            trigger: `${PAGE} button.o_stripe_pay_button:enabled`,
            run: "click",
        },
        {
            content: "The server confirmed the payment: the page shows it received, by Google Pay",
            trigger: `${PAGE} .o_stripe_state_paid .o_stripe_receipt:contains(Google Pay)`,
            timeout: 20000,
        },
    ],
});
