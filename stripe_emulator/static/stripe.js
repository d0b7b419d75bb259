/*
 * Stripe.js stand-in served by the local Stripe emulator (plain ES2017, no build step).
 *
 * Implements the small part of Stripe.js v3 a Payment Element checkout uses:
 *   const stripe = Stripe(publishableKey, {stripeAccount, apiVersion});
 *   const elements = stripe.elements({clientSecret, appearance});
 *   elements.create('payment').mount('#payment-element');
 *   await elements.submit();
 *   await stripe.confirmPayment({elements, confirmParams: {return_url}, redirect});
 *   await stripe.retrievePaymentIntent(clientSecret);
 * The "card form" is a select of the emulator's test payment methods.
 */
(function () {
    'use strict';

    const API_ORIGIN = '__STRIPE_EMULATOR_ORIGIN__';
    const TEST_METHODS = [
        ['pm_card_visa', 'Visa 4242 (succeeds)', '4242 4242 4242 4242'],
        ['pm_card_chargeDeclined', 'Declined card', '4000 0000 0000 0002'],
        ['pm_card_authenticationRequired', '3-D Secure required', '4000 0027 6000 3184'],
        ['pm_bank_debit', 'Bank debit (processing)', 'DE89 3704 0044 0532 0130 00'],
    ];

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

    /** The Payment Element: a fieldset with a select of test payment methods. */
    function createPaymentElement(type, options) {
        const handlers = {};
        let container = null;
        let select = null;

        function fire(event, payload) {
            (handlers[event] || []).forEach((callback) => callback(payload));
        }

        function render() {
            const fieldset = document.createElement('fieldset');
            fieldset.className = 'o_stripe_emulator_element';
            const legend = document.createElement('legend');
            legend.textContent = 'Payment method (Stripe emulator)';
            select = document.createElement('select');
            select.name = 'stripe_emulator_payment_method';
            select.className = 'o_stripe_emulator_pm';
            const hint = document.createElement('input');
            hint.readOnly = true;
            hint.className = 'o_stripe_emulator_hint';
            hint.setAttribute('aria-label', 'Test card number');
            TEST_METHODS.forEach(([value, label]) => {
                const option = document.createElement('option');
                option.value = value;
                option.textContent = label;
                select.appendChild(option);
            });
            const showHint = () => {
                hint.value = TEST_METHODS.find(([value]) => value === select.value)[2];
            };
            select.addEventListener('change', () => {
                showHint();
                fire('change', {elementType: type, complete: true, empty: false,
                                value: {type: select.value === 'pm_bank_debit' ? 'sepa_debit' : 'card'}});
            });
            showHint();
            fieldset.append(legend, select, hint);
            return fieldset;
        }

        const element = {
            options: options || {},
            mount(target) {
                container = typeof target === 'string' ? document.querySelector(target) : target;
                if (!container) {
                    throw new Error(`Stripe emulator: no element matches ${target}`);
                }
                container.innerHTML = '';
                container.appendChild(type === 'payment' ? render() : document.createElement('div'));
                setTimeout(() => {
                    fire('ready', {elementType: type});
                    fire('change', {elementType: type, complete: true, empty: false,
                                    value: {type: 'card'}});
                }, 0);
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
                if (select) {
                    select.focus();
                }
            },
            unmount() {
                if (container) {
                    container.innerHTML = '';
                }
                select = null;
            },
            destroy() {
                element.unmount();
                container = null;
            },
            selectedPaymentMethod() {
                return select ? select.value : 'pm_card_visa';
            },
        };
        return element;
    }

    function Stripe(publishableKey, options) {
        const settings = options || {};

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
            const response = await fetch(url, init);
            return response.json();
        }

        function elements(elementsOptions) {
            const created = {};
            const group = {
                options: elementsOptions || {},
                create(type, elementOptions) {
                    created[type] = createPaymentElement(type, elementOptions);
                    return created[type];
                },
                getElement(type) {
                    return created[type] || null;
                },
                update(newOptions) {
                    Object.assign(group.options, newOptions || {});
                },
                submit() {
                    return Promise.resolve({});
                },
                fetchUpdates() {
                    return Promise.resolve({});
                },
                selectedPaymentMethod() {
                    const payment = created.payment;
                    return payment ? payment.selectedPaymentMethod() : 'pm_card_visa';
                },
            };
            return group;
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
                const {type, code, decline_code, message, param} = answer.error;
                return {error: {type, code, decline_code, message, param,
                                payment_intent: answer.error.payment_intent}};
            }
            const intent = answer;
            if (intent.status === 'requires_action' && intent.next_action) {
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
            const answer = await api('GET', `/v1/payment_intents/${intentId(clientSecret)}`,
                                     {client_secret: clientSecret});
            return answer.error ? {error: answer.error} : {paymentIntent: answer};
        }

        return {elements, confirmPayment, retrievePaymentIntent, _apiOrigin: API_ORIGIN};
    }

    window.Stripe = Stripe;
}());
