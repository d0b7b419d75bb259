import { whenReady } from "@odoo/owl";
import { publicInteractionService } from "@web/public/interaction_service";

/**
 * Start the public interactions of the pay page.
 *
 * The pay page loads a small slice of Odoo's front end (the module loader, Owl, the
 * Interaction framework) instead of the whole ``web.assets_frontend`` bundle, so it starts
 * the interaction service itself, with the little environment interactions need.
 */
async function startPayPageInteractions() {
    await whenReady();
    const env = { services: {}, isReady: Promise.resolve(), debug: odoo.debug || "" };
    env.services["public.interactions"] = await publicInteractionService.start(env);
}

startPayPageInteractions();
