import { registry } from "@web/core/registry";

/**
 * Settings > Invoicing > Payment Processing > Stripe: connect the company with Stripe's hosted
 * onboarding and come back ready to take payments.
 *
 * The onboarding page is Stripe's (the emulator's in tests), at another origin where this
 * script does not run: the Python test completes it in the same browser, and this tour resumes
 * when Stripe sends the browser back to Odoo.
 */
registry.category("web_tour.tours").add("account_stripe_connect_connect_tour", {
    steps: () => [
        {
            content: "The platform is configured",
            trigger: ".o_stripe_step_platform .fa-check-circle",
        },
        {
            content: "The company is not connected yet",
            trigger: ".o_stripe_step_connected .fa-circle-o",
        },
        {
            content: "Connect with Stripe",
            trigger: "button.o_stripe_connect",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Back from Stripe's onboarding: ready to take payments",
            trigger: ".o_stripe_ready:contains(Ready to take payments)",
            timeout: 30000,
        },
        {
            content: "Every step is done",
            trigger: ".o_stripe_step_ready .fa-check-circle",
        },
        {
            content: "Charges are enabled",
            trigger: ".o_field_widget[name=stripe_charges_enabled] input:checked",
        },
        {
            content: "The connected company can disconnect",
            trigger: "button.o_stripe_disconnect",
        },
    ],
});
