import logging

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

_logger = logging.getLogger(__name__)

SETTINGS_URL = '/odoo/action-account.action_account_config'


class StripeOnboardingController(http.Controller):
    """Where Stripe sends the user back after onboarding or OAuth."""

    # === HELPERS === #

    def _check_manager(self):
        if not request.env.user.has_group('account.group_account_manager'):
            raise Forbidden()

    def _company_for_current_user(self, company_id):
        """Return the company named in the URL, when the user may manage its Stripe account."""
        self._check_manager()
        try:
            company_id = int(company_id)
        except (TypeError, ValueError):
            raise NotFound() from None
        if company_id not in request.env.user.company_ids.ids:
            raise NotFound()
        return request.env['res.company'].browse(company_id)

    def _render_result(self, message, error=True):
        return request.render('account_stripe_connect.connect_result', {
            'message': message,
            'error': error,
            'settings_url': SETTINGS_URL,
        }, status=400 if error else 200)

    # === ROUTES === #

    @http.route('/stripe_connect/onboarding/return', type='http', auth='user', methods=['GET'])
    def stripe_onboarding_return(self, company_id=None, **kwargs):
        """Back from Stripe's onboarding: refresh the account's status and show the settings."""
        company = self._company_for_current_user(company_id)
        try:
            company._stripe_refresh_account()
        except UserError as error:
            return self._render_result(str(error))
        return request.redirect(SETTINGS_URL)

    @http.route('/stripe_connect/onboarding/refresh', type='http', auth='user', methods=['GET'])
    def stripe_onboarding_refresh(self, company_id=None, **kwargs):
        """The onboarding link expired or was used: make a new one and go back to Stripe."""
        company = self._company_for_current_user(company_id)
        if not company.stripe_account_id:
            return request.redirect(SETTINGS_URL)
        try:
            url = company._stripe_onboarding_url()
        except UserError as error:
            return self._render_result(str(error))
        return request.redirect(url, local=False)

    @http.route('/stripe_connect/oauth/callback', type='http', auth='user', methods=['GET'])
    def stripe_oauth_callback(self, state=None, code=None, error=None, **kwargs):
        """Stripe's answer to an OAuth authorization: connect the company the state names.

        The state is spent first, whatever follows: a state is good for one answer only.
        """
        self._check_manager()
        try:
            company = request.env['stripe.oauth.state']._consume(state)
        except UserError as exc:
            return self._render_result(str(exc))
        if company not in request.env.user.company_ids:
            raise NotFound()
        request.env.cr.commit()
        if error or not code:
            message = request.env._(
                "The Stripe account was not connected: %(reason)s",
                reason=kwargs.get('error_description') or error or request.env._("no code"),
            )
            return self._render_result(message)
        try:
            company._stripe_connect_oauth(code)
        except UserError as exc:
            request.env.cr.rollback()
            return self._render_result(str(exc))
        return request.redirect(SETTINGS_URL)
