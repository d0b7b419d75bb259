/*
 * Stripe.js stand-in served by the local Stripe emulator (plain ES2017, no build step).
 *
 * Implements the part of Stripe.js v3 a Payment Element checkout uses, in both of Stripe's
 * flows (see the emulator's README for the exact API):
 *
 *   const stripe = Stripe(publishableKey, {stripeAccount, apiVersion, locale});
 *
 *   // Deferred intent, finalized on the server (confirmation tokens):
 *   const elements = stripe.elements({mode: 'payment', amount, currency, locale, appearance});
 *   elements.create('payment', {layout}).mount('#payment-element');
 *   const {error} = await elements.submit();
 *   const {confirmationToken, error} = await stripe.createConfirmationToken({elements,
 *       params: {return_url, payment_method_data: {billing_details}}});
 *   // ... the server creates and confirms the PaymentIntent, then if it requires action:
 *   const {paymentIntent, error} = await stripe.handleNextAction({clientSecret});
 *
 *   // Client secret (the PaymentIntent exists before the page):
 *   const elements = stripe.elements({clientSecret});
 *   await stripe.confirmPayment({elements, confirmParams: {return_url}, redirect});
 *   await stripe.retrievePaymentIntent(clientSecret);
 *
 * The "card form" is a select of the emulator's test payment methods (and of the wallets the
 * page's domain may show); the rest talks to the emulator's API like Stripe.js does.
 */
(function () {
    'use strict';

    const API_ORIGIN = '__STRIPE_EMULATOR_ORIGIN__';
    const EXPIRY_YEAR = new Date().getFullYear() + 3;
    const DEFAULT_BILLING = {name: 'Jenny Rosen', email: 'jenny.rosen@example.com'};
    // value: the select's option value (the emulator's test token name for the legacy flow)
    const METHODS = [
        {value: 'pm_card_visa', type: 'card', label: 'visa', hint: '4242 4242 4242 4242',
         card: '4242424242424242'},
        {value: 'pm_card_chargeDeclined', type: 'card', label: 'declined',
         hint: '4000 0000 0000 0002', card: '4000000000000002'},
        {value: 'pm_card_authenticationRequired', type: 'card', label: 'threeDS',
         hint: '4000 0027 6000 3184', card: '4000002760003184'},
        {value: 'pm_bank_debit', type: 'sepa_debit', label: 'sepa',
         hint: 'DE89 3704 0044 0532 0130 00', iban: 'DE89370400440532013000',
         needs: ['name', 'email'], currencies: ['eur']},
        {value: 'multibanco', type: 'multibanco', label: 'multibanco', hint: 'Multibanco',
         needs: ['email'], currencies: ['eur'], deferredOnly: true},
        {value: 'oxxo', type: 'oxxo', label: 'oxxo', hint: 'OXXO', needs: ['name', 'email'],
         currencies: ['mxn'], deferredOnly: true},
    ];
    const WALLETS = [
        {value: 'google_pay', type: 'card', wallet: 'google_pay', label: 'googlePay',
         hint: 'Google Pay'},
        {value: 'apple_pay', type: 'card', wallet: 'apple_pay', label: 'applePay',
         hint: 'Apple Pay'},
    ];
    const LABELS = {
        en: {
            legend: 'Payment method (Stripe emulator)', method: 'Payment method',
            hint: 'Test card number', visa: 'Visa 4242 (succeeds)', declined: 'Declined card',
            threeDS: '3-D Secure required', sepa: 'Bank debit (processing)',
            multibanco: 'Multibanco (voucher)', oxxo: 'OXXO (voucher)',
            googlePay: 'Google Pay', applePay: 'Apple Pay', name: 'Full name', email: 'Email',
            incomplete_name: 'Your name is incomplete.',
            incomplete_email: 'Your email address is incomplete.',
            invalid_email: 'Your email address is invalid.',
            voucher: 'Payment instructions', reference: 'Reference', entity: 'Entity',
            number: 'Number', amount: 'Amount', expires: 'Expires', open: 'Open the voucher',
            close: 'Close', authentication: '3-D Secure authentication',
        },
        fr: {
            legend: 'Moyen de paiement (émulateur Stripe)', method: 'Moyen de paiement',
            hint: 'Numéro de carte de test', visa: 'Visa 4242 (acceptée)',
            declined: 'Carte refusée', threeDS: '3-D Secure requis',
            sepa: 'Prélèvement bancaire (en cours)', multibanco: 'Multibanco (bon de paiement)',
            oxxo: 'OXXO (bon de paiement)', googlePay: 'Google Pay', applePay: 'Apple Pay',
            name: 'Nom complet', email: 'E-mail',
            incomplete_name: 'Votre nom est incomplet.',
            incomplete_email: 'Votre adresse e-mail est incomplète.',
            invalid_email: "Votre adresse e-mail n'est pas valide.",
            voucher: 'Instructions de paiement', reference: 'Référence', entity: 'Entité',
            number: 'Numéro', amount: 'Montant', expires: 'Expire le',
            open: 'Ouvrir le bon de paiement', close: 'Fermer',
            authentication: 'Authentification 3-D Secure',
        },
    };
    const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/;

    class IntegrationError extends Error {
        constructor(message) {
            super(message);
            this.name = 'IntegrationError';
        }
    }

    /** The language Stripe.js uses for a `locale` option ('auto': the browser's). */
    function resolveLocale(locale) {
        const wanted = !locale || locale === 'auto' ? (navigator.language || 'en') : locale;
        const base = String(wanted).toLowerCase().split('-')[0];
        return LABELS[base] ? base : 'en';
    }

    /** Form-encode nested params with Stripe's bracket notation. */
    function encode(params, prefix) {
        const parts = [];
        Object.keys(params || {}).forEach((key) => {
            const value = params[key];
            const name = prefix ? `${prefix}[${key}]` : key;
            if (value === undefined || value === null) {
                return;
            }
            if (typeof value === 'object') {
                const nested = encode(value, name);
                if (nested) {
                    parts.push(nested);
                }
            } else {
                parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
            }
        });
        return parts.join('&');
    }

    function intentId(clientSecret) {
        return String(clientSecret || '').split('_secret_')[0];
    }

    function withQuery(url, values) {
        const target = new URL(url, window.location.href);
        Object.keys(values).forEach((key) => target.searchParams.set(key, values[key]));
        return target.toString();
    }

    /** Stripe.js's error shape: only the keys that apply. */
    function shapeError(error) {
        const shaped = {};
        ['type', 'code', 'decline_code', 'message', 'param', 'doc_url', 'payment_intent',
         'payment_method'].forEach((key) => {
            if (error[key] !== undefined && error[key] !== null) {
                shaped[key] = error[key];
            }
        });
        return shaped;
    }

    function formatAmount(amount, currency) {
        const zero = ['jpy', 'krw', 'vnd', 'clp', 'xof', 'xaf', 'ugx'];
        const value = zero.includes(currency) ? amount : amount / 100;
        return `${value.toFixed(zero.includes(currency) ? 0 : 2)} ${String(currency).toUpperCase()}`;
    }

    function make(tag, attributes, text) {
        const node = document.createElement(tag);
        Object.keys(attributes || {}).forEach((key) => node.setAttribute(key, attributes[key]));
        if (text !== undefined) {
            node.textContent = text;
        }
        return node;
    }

    /** A modal of the stand-in (3-D Secure frame, voucher instructions). */
    function openModal(className, title) {
        const overlay = make('div', {class: `o_stripe_emulator_modal ${className}`,
                                     role: 'dialog', 'aria-modal': 'true'});
        overlay.style.cssText = 'position:fixed;inset:0;background:rgba(0,0,0,.5);'
            + 'display:flex;align-items:center;justify-content:center;z-index:2147483000';
        const box = make('div', {class: 'o_stripe_emulator_modal_box'});
        box.style.cssText = 'background:#fff;padding:1rem;border-radius:8px;max-width:32rem;'
            + 'width:90%;max-height:90%;overflow:auto';
        box.appendChild(make('h2', {}, title));
        overlay.appendChild(box);
        document.body.appendChild(overlay);
        return {overlay, box};
    }

    /** The Payment Element: a fieldset with a select of test payment methods. */
    function createPaymentElement(group, type, options) {
        const handlers = {};
        const billing = Object.assign({}, DEFAULT_BILLING,
                                      ((options || {}).defaultValues || {}).billingDetails || {});
        const state = {container: null, root: null, select: null, wallets: [], mounted: false};

        function fire(event, payload) {
            (handlers[event] || []).forEach((callback) => callback(payload));
        }

        function labels() {
            return LABELS[group.locale()];
        }

        function available() {
            const deferred = group.deferred();
            const currency = String(group.options.currency || '').toLowerCase();
            const allowed = group.options.paymentMethodTypes;
            const methods = METHODS.filter((method) => {
                if (!deferred) {
                    return !method.deferredOnly;
                }
                if (allowed && !allowed.includes(method.type)) {
                    return false;
                }
                return !method.currencies || method.currencies.includes(currency);
            });
            const cards = !allowed || allowed.includes('card');
            return methods.concat(deferred && cards ? state.wallets : []);
        }

        function selected() {
            const value = state.select ? state.select.value : 'pm_card_visa';
            return available().find((method) => method.value === value) || METHODS[0];
        }

        function field(name) {
            return state.root ? state.root.querySelector(`.o_stripe_emulator_${name}`) : null;
        }

        function details() {
            const method = selected();
            const values = {};
            (method.needs || []).forEach((name) => {
                values[name] = field(name) ? field(name).value.trim() : '';
            });
            return values;
        }

        function problem() {
            const method = selected();
            const values = details();
            for (const name of method.needs || []) {
                if (!values[name]) {
                    return {type: 'validation_error', code: `incomplete_${name}`,
                            message: labels()[`incomplete_${name}`]};
                }
                if (name === 'email' && !EMAIL.test(values.email)) {
                    return {type: 'validation_error', code: 'invalid_email',
                            message: labels().invalid_email};
                }
            }
            return null;
        }

        function changed() {
            const method = selected();
            group.unsubmit();
            fire('change', {elementType: type, complete: !problem(), empty: false,
                            collapsed: false, value: {type: method.wallet || method.type}});
        }

        function showFields() {
            const method = selected();
            const hint = field('hint');
            if (hint) {
                hint.value = method.hint;
            }
            ['name', 'email'].forEach((name) => {
                const wrapper = state.root.querySelector(`.o_stripe_emulator_field_${name}`);
                wrapper.hidden = !(method.needs || []).includes(name);
            });
        }

        function render() {
            const text = labels();
            const previous = state.select ? state.select.value : null;
            const root = make('fieldset', {class: 'o_stripe_emulator_element',
                                           'data-locale': group.locale(),
                                           'data-mode': group.deferred() ? 'payment' : 'client_secret',
                                           'data-wallets': state.wallets.map((w) => w.wallet).join(' ')});
            root.appendChild(make('legend', {}, text.legend));
            const selectId = `o_stripe_emulator_pm_${Math.random().toString(36).slice(2)}`;
            root.appendChild(make('label', {for: selectId, class: 'o_stripe_emulator_pm_label'},
                                  text.method));
            const select = make('select', {id: selectId, name: 'stripe_emulator_payment_method',
                                           class: 'o_stripe_emulator_pm'});
            available().forEach((method) => {
                select.appendChild(make('option', {value: method.value,
                                                   'data-type': method.wallet || method.type},
                                        text[method.label]));
            });
            if (previous && available().some((method) => method.value === previous)) {
                select.value = previous;
            }
            root.appendChild(select);
            root.appendChild(make('input', {class: 'o_stripe_emulator_hint', readonly: 'readonly',
                                            'aria-label': text.hint}));
            ['name', 'email'].forEach((name) => {
                const wrapper = make('div', {class: `o_stripe_emulator_field_${name}`});
                const input = make('input', {class: `o_stripe_emulator_${name}`,
                                             name: `stripe_emulator_${name}`,
                                             'aria-label': text[name],
                                             type: name === 'email' ? 'email' : 'text'});
                const old = field(name);
                input.value = old ? old.value : (billing[name] || '');
                input.addEventListener('input', changed);
                wrapper.append(make('label', {}, text[name]), input);
                root.appendChild(wrapper);
            });
            select.addEventListener('change', () => {
                showFields();
                changed();
            });
            if (state.root) {
                state.root.replaceWith(root);
            } else {
                state.container.appendChild(root);
            }
            state.root = root;
            state.select = select;
            showFields();
        }

        async function loadWallets() {
            const answer = await group.api('GET', '/_stripejs/wallets',
                                           {hostname: window.location.hostname});
            if (answer.error) {
                return answer.error;
            }
            state.wallets = WALLETS.filter((wallet) => answer[wallet.wallet]);
            return null;
        }

        const element = {
            options: options || {},
            mount(target) {
                if (type === 'payment' && !group.deferred() && !group.options.clientSecret) {
                    throw new IntegrationError(
                        'In order to create a payment element, you must pass a clientSecret '
                        + 'or mode when creating the Elements group.');
                }
                state.container = typeof target === 'string' ? document.querySelector(target) : target;
                if (!state.container) {
                    throw new IntegrationError(`Stripe emulator: no element matches ${target}`);
                }
                state.container.innerHTML = '';
                state.root = null;
                state.mounted = true;
                if (type !== 'payment') {
                    state.container.appendChild(document.createElement('div'));
                    setTimeout(() => fire('ready', {elementType: type}), 0);
                    return element;
                }
                render();
                const ready = group.deferred() ? loadWallets() : Promise.resolve(null);
                ready.then((error) => {
                    if (!state.mounted) {
                        return;
                    }
                    if (error) {
                        fire('loaderror', {elementType: type, error: shapeError(error)});
                        return;
                    }
                    render();
                    fire('ready', {elementType: type});
                    changed();
                });
                return element;
            },
            on(event, callback) {
                (handlers[event] = handlers[event] || []).push(callback);
                return element;
            },
            off(event, callback) {
                handlers[event] = (handlers[event] || []).filter((cb) => cb !== callback);
                return element;
            },
            update(newOptions) {
                Object.assign(element.options, newOptions || {});
            },
            focus() {
                if (state.select) {
                    state.select.focus();
                }
            },
            unmount() {
                if (state.container) {
                    state.container.innerHTML = '';
                }
                state.root = null;
                state.select = null;
                state.mounted = false;
            },
            destroy() {
                element.unmount();
                state.container = null;
                group.forget(type);
            },
            // -- used by the Elements group and Stripe ---------------------------------
            rerender() {
                if (state.mounted && type === 'payment') {
                    render();
                }
            },
            validate: problem,
            selectedPaymentMethod() {
                return selected().value;
            },
            selection() {
                return Object.assign({billing: details()}, selected());
            },
        };
        return element;
    }

    function Stripe(publishableKey, options) {
        if (!publishableKey) {
            throw new IntegrationError('Please call Stripe() with your publishable key. You used an empty string.');
        }
        const settings = options || {};
        let lastLocale = settings.locale;

        async function api(method, path, params) {
            const headers = {Authorization: `Bearer ${publishableKey}`};
            if (settings.stripeAccount) {
                headers['Stripe-Account'] = settings.stripeAccount;
            }
            if (settings.apiVersion) {
                headers['Stripe-Version'] = settings.apiVersion;
            }
            const body = encode(params);
            let url = API_ORIGIN + path;
            const init = {method, headers};
            if (method === 'GET') {
                url += body ? `?${body}` : '';
            } else {
                headers['Content-Type'] = 'application/x-www-form-urlencoded';
                init.body = body;
            }
            try {
                const response = await fetch(url, init);
                return await response.json();
            } catch (error) {
                return {error: {type: 'api_connection_error',
                                message: 'An error occurred with our connection to Stripe.'}};
            }
        }

        function elements(elementsOptions) {
            const created = {};
            let submitted = false;
            const group = {
                options: Object.assign({}, elementsOptions || {}),
                create(type, elementOptions) {
                    if (created[type]) {
                        throw new IntegrationError(`Can only create one Element of type ${type}.`);
                    }
                    created[type] = createPaymentElement(group, type, elementOptions);
                    return created[type];
                },
                getElement(type) {
                    return created[type] || null;
                },
                update(newOptions) {
                    const next = Object.assign({}, group.options, newOptions || {});
                    if (group.deferred()) {
                        checkDeferred(next);
                    }
                    group.options = next;
                    if (newOptions && newOptions.locale) {
                        lastLocale = newOptions.locale;
                    }
                    Object.values(created).forEach((element) => element.rerender());
                },
                submit() {
                    const payment = created.payment;
                    if (!payment) {
                        return Promise.resolve({error: {
                            type: 'validation_error', code: 'missing_element',
                            message: 'No Payment Element is mounted.'}});
                    }
                    const error = payment.validate();
                    submitted = !error;
                    return Promise.resolve(error ? {error} : {});
                },
                fetchUpdates() {
                    return Promise.resolve({});
                },
                selectedPaymentMethod() {
                    const payment = created.payment;
                    return payment ? payment.selectedPaymentMethod() : 'pm_card_visa';
                },
                // -- for the stand-in itself ---------------------------------------------
                api,
                deferred() {
                    return Boolean(group.options.mode);
                },
                locale() {
                    return resolveLocale(group.options.locale || settings.locale);
                },
                submitted() {
                    return submitted;
                },
                unsubmit() {
                    submitted = false;
                },
                forget(type) {
                    delete created[type];
                },
            };
            if (group.deferred()) {
                checkDeferred(group.options);
            }
            if (group.options.locale) {
                lastLocale = group.options.locale;
            }
            return group;
        }

        function checkDeferred(config) {
            if (config.mode !== 'payment') {
                throw new IntegrationError(`Invalid value for elements(): mode should be payment. You specified: ${config.mode}.`);
            }
            if (!Number.isInteger(config.amount) || config.amount < 0) {
                throw new IntegrationError('Invalid value for elements(): amount should be a non-negative integer.');
            }
            if (!/^[a-z]{3}$/.test(String(config.currency || ''))) {
                throw new IntegrationError('Invalid value for elements(): currency should be a lowercase three-letter ISO currency code.');
            }
        }

        async function createConfirmationToken(request) {
            const group = (request || {}).elements;
            if (!group || !group.getElement) {
                throw new IntegrationError('stripe.createConfirmationToken(): `elements` is required.');
            }
            const payment = group.getElement('payment');
            if (!payment) {
                throw new IntegrationError('stripe.createConfirmationToken(): no Payment Element was created with these elements.');
            }
            if (!group.submitted()) {
                throw new IntegrationError('elements.submit() must be called before stripe.createConfirmationToken(). Call elements.submit() as soon as your customer presses pay, prior to any asynchronous work.');
            }
            const params = Object.assign({}, request.params || {});
            const choice = payment.selection();
            const extra = (params.payment_method_data || {}).billing_details || {};
            const billing = Object.assign({}, choice.billing, extra);
            const data = {type: choice.type};
            if (Object.keys(billing).length) {
                data.billing_details = billing;
            }
            if (choice.wallet) {
                const token = await api('POST', `/_stripejs/wallets/${choice.wallet}/tokens`,
                                        {hostname: window.location.hostname});
                if (token.error) {
                    return {error: shapeError(token.error)};
                }
                data.card = {token: token.id};
            } else if (choice.card) {
                data.card = {number: choice.card, exp_month: 12, exp_year: EXPIRY_YEAR, cvc: '123'};
            } else if (choice.iban) {
                data.sepa_debit = {iban: choice.iban};
            }
            const answer = await api('POST', '/v1/confirmation_tokens', {
                payment_method_data: data,
                return_url: params.return_url,
                shipping: params.shipping,
            });
            group.unsubmit();
            if (answer.error) {
                return {error: shapeError(answer.error)};
            }
            return {confirmationToken: answer};
        }

        function waitForAuthentication(intent) {
            const text = LABELS[resolveLocale(lastLocale)];
            const {overlay, box} = openModal('o_stripe_emulator_3ds', text.authentication);
            const frame = make('iframe', {src: intent.next_action.use_stripe_sdk.stripe_js,
                                          class: 'o_stripe_emulator_3ds_frame',
                                          title: text.authentication});
            frame.style.cssText = 'width:100%;height:24rem;border:0';
            box.appendChild(frame);
            return new Promise((resolve) => {
                function listen(event) {
                    const data = event.data || {};
                    if (data.type === 'stripe-emulator:3ds' && data.payment_intent === intent.id) {
                        window.removeEventListener('message', listen);
                        overlay.remove();
                        resolve();
                    }
                }
                window.addEventListener('message', listen);
            });
        }

        function showVoucher(intent) {
            const action = intent.next_action;
            const kind = action.type.replace('_display_details', '');
            const details = action[action.type];
            const text = LABELS[resolveLocale(lastLocale)];
            const {overlay, box} = openModal('o_stripe_emulator_voucher', text.voucher);
            overlay.setAttribute('data-type', kind);
            const rows = [[text.amount, formatAmount(intent.amount, intent.currency), 'amount']];
            if (details.entity) {
                rows.push([text.entity, details.entity, 'entity']);
            }
            if (details.reference) {
                rows.push([text.reference, details.reference, 'reference']);
            }
            if (details.number) {
                rows.push([text.number, details.number, 'number']);
            }
            const expires = details.expires_at || details.expires_after;
            if (expires) {
                rows.push([text.expires, new Date(expires * 1000).toISOString().slice(0, 10),
                           'expires']);
            }
            const table = make('table', {class: 'o_stripe_emulator_voucher_details'});
            rows.forEach(([label, value, key]) => {
                const row = make('tr', {});
                row.append(make('th', {}, label),
                           make('td', {class: `o_stripe_emulator_voucher_${key}`}, value));
                table.appendChild(row);
            });
            box.appendChild(table);
            box.appendChild(make('a', {href: details.hosted_voucher_url, target: '_blank',
                                       rel: 'noopener', class: 'o_stripe_emulator_voucher_link'},
                                 text.open));
            const close = make('button', {type: 'button', class: 'o_stripe_emulator_voucher_close'},
                               text.close);
            box.appendChild(close);
            return new Promise((resolve) => {
                close.addEventListener('click', () => {
                    overlay.remove();
                    resolve();
                });
            });
        }

        async function retrieve(clientSecret) {
            return api('GET', `/v1/payment_intents/${intentId(clientSecret)}`,
                       {client_secret: clientSecret});
        }

        async function handleNextAction(request) {
            const clientSecret = (request || {}).clientSecret;
            if (!clientSecret) {
                throw new IntegrationError('stripe.handleNextAction(): `clientSecret` is required.');
            }
            let intent = await retrieve(clientSecret);
            if (intent.error) {
                return {error: shapeError(intent.error)};
            }
            if (intent.status !== 'requires_action' || !intent.next_action) {
                return {error: {
                    type: 'invalid_request_error', code: 'payment_intent_unexpected_state',
                    message: `The PaymentIntent has a status of ${intent.status}: `
                        + 'handleNextAction only handles a PaymentIntent that requires action.',
                    payment_intent: intent}};
            }
            const action = intent.next_action;
            if (action.type === 'redirect_to_url') {
                window.location.assign(action.redirect_to_url.url);
                return new Promise(() => {});  // the page is going away
            }
            if (action.type === 'use_stripe_sdk') {
                await waitForAuthentication(intent);
                intent = await retrieve(clientSecret);
                if (intent.error) {
                    return {error: shapeError(intent.error)};
                }
                if (['succeeded', 'processing', 'requires_capture'].includes(intent.status)) {
                    return {paymentIntent: intent};
                }
                return {error: shapeError(Object.assign({}, intent.last_payment_error || {
                    type: 'invalid_request_error', message: `Payment is ${intent.status}.`},
                                                        {payment_intent: intent}))};
            }
            if (/_display_details$/.test(action.type)) {
                await showVoucher(intent);
                return {paymentIntent: intent};
            }
            return {error: {type: 'invalid_request_error',
                            message: `The Stripe emulator cannot handle the next action ${action.type}.`}};
        }

        async function confirmPayment(params) {
            const group = params.elements;
            const clientSecret = params.clientSecret || (group && group.options.clientSecret);
            const confirmParams = params.confirmParams || {};
            const redirect = params.redirect || 'always';
            const answer = await api('POST', `/v1/payment_intents/${intentId(clientSecret)}/confirm`, {
                client_secret: clientSecret,
                payment_method: group ? group.selectedPaymentMethod() : 'pm_card_visa',
                return_url: confirmParams.return_url,
                receipt_email: confirmParams.receipt_email,
            });
            if (answer.error) {
                return {error: shapeError(answer.error)};
            }
            const intent = answer;
            if (intent.status === 'requires_action' && intent.next_action
                    && intent.next_action.type === 'redirect_to_url') {
                window.location.assign(intent.next_action.redirect_to_url.url);
                return new Promise(() => {});  // the page is going away
            }
            if (['succeeded', 'processing'].includes(intent.status)) {
                if (redirect === 'if_required' || !confirmParams.return_url) {
                    return {paymentIntent: intent};
                }
                window.location.assign(withQuery(confirmParams.return_url, {
                    payment_intent: intent.id,
                    payment_intent_client_secret: clientSecret,
                    redirect_status: intent.status,
                }));
                return new Promise(() => {});
            }
            return {error: intent.last_payment_error || {type: 'invalid_request_error',
                                                         message: `Payment is ${intent.status}.`},
                    paymentIntent: intent};
        }

        async function retrievePaymentIntent(clientSecret) {
            const answer = await retrieve(clientSecret);
            return answer.error ? {error: shapeError(answer.error)} : {paymentIntent: answer};
        }

        return {elements, createConfirmationToken, handleNextAction, confirmPayment,
                retrievePaymentIntent, _apiOrigin: API_ORIGIN};
    }

    window.Stripe = Stripe;
}());
