import { registry } from "@web/core/registry";

/**
 * The customer pays part of an invoice: an amount above the amount due is refused by the
 * server (which asks nothing of Stripe for it), a smaller one is accepted and the Payment
 * Element follows it; the server charges it when Pay is pressed, and the page says what
 * remains due.
 *
 * Runs like ``account_stripe_connect_pay_tour``: on the portal's invoice page, with the
 * email's link (``pay_link`` in the fragment) opened in a full-page frame.
 */
const PAY = ".o_stripe_pay_frame:iframe";

/** Type an amount in the pay page's amount field, as a person does (then leave the field). */
function typeAmount(value) {
    return function () {
        this.anchor.value = value;
        this.anchor.dispatchEvent(new Event("input", { bubbles: true }));
        this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
    };
}

registry.category("web_tour.tours").add("account_stripe_connect_pay_partial_tour", {
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
            content: "The full amount due is offered first",
            trigger: `${PAY} input[name=amount]:value(275)`,
        },
        {
            content: "The form is ready, Stripe's Payment Element in deferred mode",
            trigger: `${PAY} button.o_stripe_pay_button:enabled`,
        },
        {
            content: "Ask to pay more than is due",
            trigger: `${PAY} input[name=amount]`,
            run: typeAmount("500"),
        },
        {
            content: "The server refuses it and the form goes back to the amount it allows",
            trigger: `${PAY} .o_stripe_js_error:contains(Choose an amount between)`,
        },
        {
            content: "The amount field shows the allowed amount again",
            trigger: `${PAY} input[name=amount]:value(275):enabled`,
        },
        {
            content: "Choose to pay 100.00 now",
            trigger: `${PAY} input[name=amount]`,
            run: typeAmount("100"),
        },
        {
            content: "The button says what will be paid",
            trigger: `${PAY} .o_stripe_pay_button:enabled .o_stripe_pay_amount:contains(100.00)`,
        },
        {
            content: "No error is shown any more",
            trigger: `${PAY} .o_stripe_js_error:hidden`,
        },
        {
            content: "Pay",
            trigger: `${PAY} button.o_stripe_pay_button:enabled`,
            run: "click",
        },
        {
            content: "The server confirmed 100.00: paid, and the rest is still due",
            trigger: `${PAY} .o_stripe_state_paid .o_stripe_rest_due:contains(175.00)`,
            timeout: 20000,
        },
    ],
});
