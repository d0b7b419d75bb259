import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.misc import consteq, hmac

STATE_LIFETIME = timedelta(minutes=15)
HMAC_SCOPE = 'account_stripe_connect.oauth_state'


class StripeOauthState(models.Model):
    """The ``state`` of a Stripe OAuth authorization: signed, expiring, single-use and bound to
    the user and company that asked for it. Kept in the database so that any worker or server
    can check it."""

    _name = 'stripe.oauth.state'
    _description = "Stripe OAuth State"
    _rec_name = 'nonce'

    nonce = fields.Char(required=True, readonly=True)
    user_id = fields.Many2one('res.users', required=True, readonly=True, ondelete='cascade')
    company_id = fields.Many2one('res.company', required=True, readonly=True, ondelete='cascade')
    expires_at = fields.Datetime(required=True, readonly=True)
    used_at = fields.Datetime(readonly=True)

    _nonce_unique = models.Constraint('UNIQUE(nonce)', "An OAuth state is used once.")

    # === BUSINESS METHODS === #

    @api.model
    def _issue(self, company):
        """Create a state for the current user connecting ``company`` and return its value.

        :rtype: str
        """
        nonce = secrets.token_urlsafe(24)
        self.sudo().create({
            'nonce': nonce,
            'user_id': self.env.uid,
            'company_id': company.id,
            'expires_at': fields.Datetime.now() + STATE_LIFETIME,
        })
        return f'{nonce}.{self._sign(nonce, self.env.uid, company.id)}'

    @api.model
    def _sign(self, nonce, user_id, company_id):
        return hmac(self.env(su=True), HMAC_SCOPE, f'{nonce}:{user_id}:{company_id}')

    @api.model
    def _consume(self, state):
        """Check a state coming back from Stripe and mark it used.

        :param str state: The value Stripe echoed.
        :return: The company the state was issued for.
        :rtype: res.company
        :raise UserError: When the state is unknown, tampered with, expired, already used or
                          issued to another user.
        """
        nonce, _dot, signature = (state or '').partition('.')
        invalid = UserError(self.env._(
            "This Stripe connection link is invalid, expired or was already used. "
            "Start again from Settings."
        ))
        if not nonce or not signature:
            raise invalid
        self.env.cr.execute(SQL(
            """
            UPDATE stripe_oauth_state
               SET used_at = NOW() AT TIME ZONE 'UTC'
             WHERE nonce = %s AND used_at IS NULL
               AND expires_at > NOW() AT TIME ZONE 'UTC' AND user_id = %s
         RETURNING company_id
            """,
            nonce, self.env.uid,
        ))
        row = self.env.cr.fetchone()
        if not row or not consteq(signature, self._sign(nonce, self.env.uid, row[0])):
            raise invalid
        self.invalidate_model(['used_at'])
        return self.env['res.company'].browse(row[0])

    @api.autovacuum
    def _gc_expired_states(self):
        """Forget states that expired a day ago or more."""
        self.sudo().search([
            ('expires_at', '<', fields.Datetime.now() - timedelta(days=1)),
        ]).unlink()
