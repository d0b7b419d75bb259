"""Remove the copy of Odoo's invoice email that carried the pay link before 19.0.1.2.0.

The pay button now comes with Odoo's own notification layout, whatever the invoice template
(models/account_move_mail.py). The copy was a ``noupdate`` record, which an upgrade keeps:
it is deleted here, and whatever pointed to it (a partner's or a company's template, an
automated action, a default) points to Odoo's standard invoice email instead.
"""

import json
import logging

from odoo import SUPERUSER_ID, api
from odoo.fields import Command

_logger = logging.getLogger(__name__)

OLD_TEMPLATE = 'account_stripe_connect.email_template_invoice_pay_online'
STANDARD_TEMPLATE = 'account.email_template_edi_invoice'


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    old = env.ref(OLD_TEMPLATE, raise_if_not_found=False)
    if not old:
        return
    standard = env.ref(STANDARD_TEMPLATE, raise_if_not_found=False)
    if standard:
        _repoint_references(env, old, standard)
    try:
        with cr.savepoint():
            old.unlink()
    except Exception:
        # Something holds on to it (a restricting reference): the upgrade goes on with the
        # template archived, out of the Send dialog's choices.
        _logger.warning("Could not delete %s; archived instead.", OLD_TEMPLATE, exc_info=True)
        old.active = False
        return
    _logger.info("Deleted %s: the pay button comes with Odoo's layout now.", OLD_TEMPLATE)


def _repoint_references(env, old, standard):
    """Point every stored reference to the template ``old`` at ``standard``."""
    companies = env['res.company'].with_context(active_test=False).search([])
    for model_name in list(env.registry):
        model = env[model_name].with_context(active_test=False)
        if model._abstract or model._transient or not model._auto:
            continue
        for field in model._fields.values():
            if not (
                field.store and field.comodel_name == 'mail.template'
                and field.type in ('many2one', 'many2many')
            ):
                continue
            if field.type == 'many2one':
                value = standard.id
            else:
                value = [Command.unlink(old.id), Command.link(standard.id)]
            # A company-dependent field holds one value per company.
            for company in companies if field.company_dependent else env.company:
                records = model.with_company(company).search([(field.name, 'in', old.ids)])
                if records:
                    records.write({field.name: value})
                    _logger.info(
                        "%s.%s: %d record(s) now use %s.",
                        model_name, field.name, len(records), STANDARD_TEMPLATE,
                    )
    # The company-independent value of company-dependent fields.
    env['ir.default'].search([
        ('field_id.relation', '=', 'mail.template'),
        ('field_id.ttype', '=', 'many2one'),
        ('json_value', '=', json.dumps(old.id)),
    ]).write({'json_value': json.dumps(standard.id)})
