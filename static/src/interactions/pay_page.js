import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { Interaction } from "@web/public/interaction";

/**
 * Load a script once, resolved when it has run.
 *
 * @param {string} url
 * @returns {Promise<void>}
 */
function loadScript(url) {
    const existing = document.querySelector(`script[src="${CSS.escape(url)}"]`);
    if (existing && existing.dataset.loaded) {
        return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
        const script = existing || document.createElement("script");
        script.addEventListener("load", () => {
            script.dataset.loaded = "1";
            resolve();
        });
        script.addEventListener("error", () => reject(new Error(`Could not load ${url}`)));
        if (!existing) {
            script.src = url;
            document.head.appendChild(script);
        }
    });
}

/**
 * The payment form of the pay page: Stripe's Payment Element in deferred mode (the amount and
 * currency, no PaymentIntent), on the company's connected account, in the customer's
 * language. The server has the last word:
 *
 * - another amount is checked by the server (no call to Stripe) before the Element follows it;
 * - Pay: the Element's details become a ConfirmationToken (Stripe.js), which the server
 *   confirms the payment with, after checking the invoice once more; it answers where to go
 *   next, or that a next action (3-D Secure, a voucher to show) is Stripe.js's to handle
 *   first, or why it refused.
 *
 * The server renders everything the form needs as data attributes of the form; texts shown
 * to the customer come from the (translated) page or from the server, never from this file.
 */
export class StripePayForm extends Interaction {
    static selector = ".o_stripe_pay_form";

    dynamicContent = {
        _root: { "t-on-submit.prevent": this.locked(this.onSubmit) },
        "input[name='amount']": {
            "t-on-change": this.locked(this.onAmountChange),
            "t-att-disabled": () => this.busy || this.closed,
        },
        ".o_stripe_pay_button": {
            "t-att-disabled": () => this.busy || this.closed || !this.elementReady,
            "t-att-aria-busy": () => (this.busy ? "true" : "false"),
        },
        ".o_stripe_pay_amount": { "t-out": () => this.amountLabel },
        ".o_stripe_js_error": {
            "t-out": () => this.error,
            "t-att-class": () => ({ "d-none": !this.error }),
        },
    };

    setup() {
        const data = this.el.dataset;
        this.publishableKey = data.publishableKey;
        this.stripeAccount = data.stripeAccount;
        this.stripeJsUrl = data.stripeJs;
        this.locale = data.locale || "auto";
        this.currency = data.currency;
        this.amountMinor = Number(data.amountMinor);
        this.amountDue = data.amountDue;
        this.returnUrl = data.returnUrl;
        this.amountUrl = data.amountUrl;
        this.confirmUrl = data.confirmUrl;
        this.accessToken = data.accessToken;
        this.amountInput = this.el.querySelector("input[name='amount']");
        this.amount = this.amountInput?.value;
        this.amountLabel = this.el.querySelector(".o_stripe_pay_amount")?.textContent.trim();
        this.elementEl = this.el.querySelector(".o_stripe_payment_element");
        this.busy = false;
        this.closed = false;
        this.elementReady = false;
        this.error = "";
    }

    async willStart() {
        try {
            await this.waitFor(loadScript(this.stripeJsUrl));
        } catch {
            this.error = this.message("load");
            return;
        }
        this.stripe = window.Stripe(this.publishableKey, {
            stripeAccount: this.stripeAccount,
            locale: this.locale,
        });
    }

    start() {
        if (this.stripe) {
            this.mountPaymentElement();
        }
    }

    destroy() {
        this.paymentElement?.destroy();
    }

    /**
     * Mount the Payment Element for the amount and currency (no PaymentIntent yet).
     */
    mountPaymentElement() {
        this.elementReady = false;
        this.elements = this.stripe.elements({
            mode: "payment",
            amount: this.amountMinor,
            currency: this.currency,
            locale: this.locale,
            appearance: { theme: "stripe", variables: { colorPrimary: "#635bff" } },
        });
        this.paymentElement = this.elements.create("payment", { layout: "tabs" });
        this.paymentElement.on("ready", () => {
            if (!this.isDestroyed) {
                this.elementReady = true;
                this.updateContent();
            }
        });
        this.paymentElement.on("loaderror", (event) => {
            if (!this.isDestroyed) {
                this.error = event?.error?.message || this.message("load");
                this.updateContent();
            }
        });
        this.paymentElement.mount(this.elementEl);
    }

    /**
     * Show an amount the server decided: in the field, on the button and in the Element.
     *
     * @param {{amount: string, amount_minor: number, amount_formatted: string}} values
     */
    showAmount(values) {
        this.amount = values.amount;
        if (this.amountInput) {
            this.amountInput.value = this.amount;
        }
        this.amountLabel = values.amount_formatted;
        if (values.amount_minor !== this.amountMinor) {
            this.amountMinor = values.amount_minor;
            this.elements?.update({ amount: this.amountMinor });
        }
    }

    /**
     * The customer chose another amount: the server checks it (no call to Stripe, nothing
     * written), then the form follows what the server decided.
     */
    async onAmountChange() {
        const requested = this.amountInput.value;
        if (requested === this.amount) {
            return;
        }
        this.busy = true;
        this.error = "";
        this.updateContent();
        try {
            const result = await this.waitFor(
                rpc(this.amountUrl, { access_token: this.accessToken, amount: requested })
            );
            if (result.error) {
                this.error = result.error;
                this.amountInput.value = this.amount;
                return;
            }
            this.showAmount(result);
        } catch {
            this.error = this.message("network");
            this.amountInput.value = this.amount;
        } finally {
            this.busy = false;
        }
    }

    /**
     * Pay: the Element's details become a ConfirmationToken, which the server confirms the
     * payment with. The button stays disabled while anything is on its way, and while the
     * browser goes to the outcome page.
     */
    async onSubmit() {
        if (this.busy || this.closed || !this.elementReady) {
            return;
        }
        this.busy = true;
        this.error = "";
        this.updateContent();
        let leaving = false;
        try {
            leaving = await this.pay();
        } catch {
            this.error = this.message("network");
        } finally {
            this.busy = leaving;
        }
    }

    /**
     * @returns {Promise<boolean>} whether the browser is going to the outcome page
     */
    async pay() {
        const submitted = await this.waitFor(this.elements.submit());
        if (submitted.error) {
            this.error = submitted.error.message || this.message("generic");
            return false;
        }
        const { confirmationToken, error } = await this.waitFor(
            this.stripe.createConfirmationToken({
                elements: this.elements,
                params: { return_url: this.returnUrl },
            })
        );
        if (error) {
            this.error = error.message || this.message("generic");
            return false;
        }
        const result = await this.waitFor(
            rpc(this.confirmUrl, {
                access_token: this.accessToken,
                amount: this.amountInput ? this.amount : "",
                amount_due: this.amountDue,
                stripe_account: this.stripeAccount,
                confirmation_token: confirmationToken.id,
            })
        );
        if (result.error) {
            this.refused(result);
            return false;
        }
        if (result.client_secret) {
            // 3-D Secure in a frame of Stripe's, a voucher's instructions, or a redirect to
            // the customer's bank (which comes back to the return URL).
            const next = await this.waitFor(
                this.stripe.handleNextAction({ clientSecret: result.client_secret })
            );
            if (next.error) {
                this.error = next.error.message || this.message("generic");
                return false;
            }
        }
        window.location.assign(result.redirect);
        return true;
    }

    /**
     * The server refused: say why; follow the invoice when it changed; close the form when
     * nothing more can be paid here.
     *
     * @param {{error: string, refresh?: object, final?: boolean}} result
     */
    refused(result) {
        this.error = result.error;
        const refresh = result.refresh;
        if (refresh && refresh.stripe_account === this.stripeAccount) {
            this.amountDue = refresh.amount_due;
            for (const el of document.querySelectorAll(".o_stripe_amount_due")) {
                el.textContent = refresh.amount_due_formatted;
            }
            if (this.amountInput) {
                this.amountInput.min = refresh.amount_low;
                this.amountInput.max = refresh.amount_high;
            }
            this.showAmount(refresh);
        } else if (refresh || result.final) {
            this.closed = true;
            this.error = `${result.error} ${this.message("reload")}`;
        }
    }

    /**
     * Return one of the page's translated messages.
     *
     * @param {"load"|"network"|"generic"|"reload"} key
     */
    message(key) {
        return this.el.querySelector(`.o_stripe_msg_${key}`)?.textContent.trim() || "";
    }
}

registry.category("public.interactions").add("account_stripe_connect.pay_form", StripePayForm);
