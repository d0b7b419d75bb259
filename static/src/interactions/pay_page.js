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
 * The card form of the pay page: Stripe's Payment Element on the company's connected
 * account, the amount the customer chose (checked by the server), and the confirmation.
 *
 * The server renders everything the form needs as data attributes of the form; texts shown
 * to the customer come from the (translated) page, never from this file.
 */
export class StripePayForm extends Interaction {
    static selector = ".o_stripe_pay_form";

    dynamicContent = {
        _root: { "t-on-submit.prevent": this.locked(this.onSubmit) },
        "input[name='amount']": {
            "t-on-change": this.locked(this.onAmountChange),
            "t-att-disabled": () => this.busy,
        },
        ".o_stripe_pay_button": {
            "t-att-disabled": () => this.busy || !this.elementReady,
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
        this.clientSecret = data.clientSecret;
        this.returnUrl = data.returnUrl;
        this.amountUrl = data.amountUrl;
        this.accessToken = data.accessToken;
        this.stripeJsUrl = data.stripeJs;
        this.amountInput = this.el.querySelector("input[name='amount']");
        this.amount = this.amountInput?.value;
        this.amountLabel = this.el.querySelector(".o_stripe_pay_amount")?.textContent.trim();
        this.elementEl = this.el.querySelector(".o_stripe_payment_element");
        this.busy = false;
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
        this.stripe = window.Stripe(this.publishableKey, { stripeAccount: this.stripeAccount });
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
     * (Re)create the Payment Element for the current client secret.
     */
    mountPaymentElement() {
        this.paymentElement?.destroy();
        this.elementReady = false;
        this.elements = this.stripe.elements({
            clientSecret: this.clientSecret,
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
     * The customer chose another amount: the server checks it and prepares the
     * PaymentIntent for it; the form follows what the server decided.
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
            this.amount = result.amount.toFixed(Number(this.amountInput.dataset.decimals || 2));
            this.amountInput.value = this.amount;
            this.amountLabel = result.amount_formatted;
            if (result.client_secret !== this.clientSecret) {
                this.clientSecret = result.client_secret;
                this.mountPaymentElement();
            } else {
                await this.waitFor(this.elements.fetchUpdates());
            }
        } catch {
            this.error = this.message("network");
            this.amountInput.value = this.amount;
        } finally {
            this.busy = false;
        }
    }

    /**
     * Confirm the payment with Stripe. On success Stripe sends the browser to the return
     * page, so the button stays disabled; on failure Stripe's message is shown.
     */
    async onSubmit() {
        if (this.busy || !this.elementReady) {
            return;
        }
        this.busy = true;
        this.error = "";
        this.updateContent();
        let result;
        try {
            result = await this.waitFor(
                this.stripe.confirmPayment({
                    elements: this.elements,
                    confirmParams: { return_url: this.returnUrl },
                })
            );
        } catch {
            result = { error: { message: this.message("network") } };
        }
        this.error = result?.error?.message || this.message("generic");
        this.busy = false;
    }

    /**
     * Return one of the page's translated messages.
     *
     * @param {"load"|"network"|"generic"} key
     */
    message(key) {
        return this.el.querySelector(`.o_stripe_msg_${key}`)?.textContent.trim() || "";
    }
}

registry.category("public.interactions").add("account_stripe_connect.pay_form", StripePayForm);
