import { registry } from "@web/core/registry";

/**
 * The customer opens the link of the invoice email and pays with Stripe's test Visa card.
 *
 * The pay page is deliberately light: it loads no tour runner. So the tour runs on the
 * customer portal's page of the same invoice (which shows the "Pay online" button) and
 * opens the email's link, given in the address's fragment as ``pay_link``, in a full-page
 * frame of the same origin, where the steps act.
 */
const PAY = ".o_stripe_pay_frame:iframe";

registry.category("web_tour.tours").add("account_stripe_connect_pay_tour", {
    steps: () => [
        {
            content: "The customer portal offers to pay the invoice online",
            trigger: "a.o_stripe_portal_pay",
        },
        {
            content: "Open the link of the invoice email",
            trigger: "body",
            run() {
                const link = new URLSearchParams(window.location.hash.slice(1)).get("pay_link");
                const frame = document.createElement("iframe");
                frame.className = "o_stripe_pay_frame";
                frame.title = "Pay page";
                frame.style.cssText =
                    "position: fixed; inset: 0; width: 100%; height: 100%; border: 0; z-index: 2000; background: #fff;";
                frame.src = link;
                document.body.appendChild(frame);
            },
        },
        {
            content: "The pay page shows the invoice and the amount due",
            trigger: `${PAY} .o_stripe_invoice .o_stripe_amount_due`,
        },
        {
            content: "Stripe's Payment Element is mounted, the test Visa card chosen",
            trigger: `${PAY} .o_stripe_payment_element select.o_stripe_emulator_pm:value(pm_card_visa)`,
        },
        {
            content: "Pay, with an impatient double click (it must pay once)",
            trigger: `${PAY} button.o_stripe_pay_button:enabled`,
            run() {
                this.anchor.click();
                this.anchor.click();
            },
        },
        {
            content: "Back from Stripe, the page shows the payment received",
            trigger: `${PAY} .o_stripe_state_paid .o_stripe_paid`,
            timeout: 20000,
        },
        {
            content: "with what was paid and how",
            trigger: `${PAY} .o_stripe_receipt:contains(Visa)`,
        },
    ],
});
