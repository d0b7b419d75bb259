import { registry } from "@web/core/registry";

/**
 * The customer opens the link of the invoice email and pays: tours of the pay page with the
 * emulator's Stripe.js stand-in (its Payment Element is a select of Stripe's test methods).
 *
 * The pay page is deliberately light: it loads no tour runner. So each tour runs on the
 * customer portal's page of the same invoice (which shows the "Pay online" button) and opens
 * the email's link, given in the address's fragment as ``pay_link``, in a full-page frame of
 * the same origin, where the steps act.
 */
const PAY = ".o_stripe_pay_frame:iframe";

/** The first steps of every pay tour: the portal's button, then the email's link. */
function openPayLink() {
    return [
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
            content: "Stripe's Payment Element is mounted in deferred mode (no PaymentIntent yet)",
            trigger: `${PAY} .o_stripe_payment_element .o_stripe_emulator_element[data-mode=payment]`,
        },
    ];
}

/** Choose a payment method in the Payment Element, as the customer does. */
function choose(value) {
    return {
        content: `Choose ${value} in the Payment Element`,
        trigger: `${PAY} select.o_stripe_emulator_pm`,
        run() {
            this.anchor.value = value;
            this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
        },
    };
}

/** Press Pay once the form is ready. */
function pay() {
    return {
        content: "Pay",
        trigger: `${PAY} button.o_stripe_pay_button:enabled`,
        run: "click",
    };
}

registry.category("web_tour.tours").add("account_stripe_connect_pay_tour", {
    steps: () => [
        ...openPayLink(),
        choose("pm_card_chargeDeclined"),
        pay(),
        {
            content: "The bank declines the card: Stripe's message, the form usable again",
            trigger: `${PAY} .o_stripe_js_error:contains(declined)`,
        },
        choose("pm_card_visa"),
        {
            content: "Pay, with an impatient double click (it must pay once)",
            trigger: `${PAY} button.o_stripe_pay_button:enabled`,
            run() {
                this.anchor.click();
                this.anchor.click();
            },
        },
        {
            content: "The server confirmed the payment: the page shows it received",
            trigger: `${PAY} .o_stripe_state_paid .o_stripe_paid`,
            timeout: 20000,
        },
        {
            content: "with what was paid and how",
            trigger: `${PAY} .o_stripe_receipt:contains(Visa)`,
        },
    ],
});

registry.category("web_tour.tours").add("account_stripe_connect_pay_3ds_tour", {
    steps: () => [
        ...openPayLink(),
        choose("pm_card_authenticationRequired"),
        pay(),
        {
            content: "The customer's bank asks for 3-D Secure, in Stripe.js's frame on the page",
            trigger: `${PAY} .o_stripe_emulator_3ds iframe.o_stripe_emulator_3ds_frame`,
            run() {
                // Stripe's frame is of another origin, out of the tour's reach: the customer's
                // "Complete authentication" is the same request its button sends, answered in
                // a frame beside it, which tells the page as Stripe's frame does.
                const doc = this.anchor.ownerDocument;
                const answer = doc.createElement("iframe");
                answer.name = "o_stripe_3ds_answer";
                answer.style.display = "none";
                doc.body.appendChild(answer);
                const form = doc.createElement("form");
                form.method = "post";
                form.action = this.anchor.src;
                form.target = answer.name;
                const outcome = doc.createElement("input");
                outcome.type = "hidden";
                outcome.name = "outcome";
                outcome.value = "complete";
                form.appendChild(outcome);
                doc.body.appendChild(form);
                form.submit();
            },
        },
        {
            content: "Authenticated: the page shows the payment received",
            trigger: `${PAY} .o_stripe_state_paid .o_stripe_receipt:contains(Visa)`,
            timeout: 20000,
        },
    ],
});

registry.category("web_tour.tours").add("account_stripe_connect_pay_voucher_tour", {
    steps: () => [
        ...openPayLink(),
        choose("multibanco"),
        {
            content: "Multibanco asks for an email, filled in",
            trigger: `${PAY} .o_stripe_emulator_email:value(jenny.rosen@example.com)`,
        },
        pay(),
        {
            content: "Stripe.js shows the voucher: amount, entity, reference",
            trigger: `${PAY} .o_stripe_emulator_voucher[data-type=multibanco] .o_stripe_emulator_voucher_reference`,
        },
        {
            content: "with a link to Stripe's hosted voucher",
            trigger: `${PAY} .o_stripe_emulator_voucher a.o_stripe_emulator_voucher_link`,
        },
        {
            content: "Close the voucher",
            trigger: `${PAY} .o_stripe_emulator_voucher .o_stripe_emulator_voucher_close`,
            run: "click",
        },
        {
            content: "The page says the payment waits for the customer, with its instructions",
            trigger: `${PAY} .o_stripe_state_pending .o_stripe_instructions_reference`,
            timeout: 20000,
        },
        {
            content: "and no form to pay a second time",
            trigger: `${PAY} body:not(:has(.o_stripe_pay_form))`,
        },
    ],
});
