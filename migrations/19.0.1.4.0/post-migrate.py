"""Keep Stripe's requirement paths instead of words, from 19.0.1.4.0 on.

Before, what Stripe still needed from a connected account was stored as words, in the
language of whoever refreshed the account (``stripe_requirements_due`` and
``stripe_requirements_past_due``, text columns of ``res_company``). Now the company stores
Stripe's paths (``stripe_requirement_codes_due``, ``stripe_requirement_codes_past_due``) and
the words are made when read, in the reader's language; the old columns are left behind by
the upgrade. This turns their words back into paths, with no call to Stripe: a label into the
first path that has it, a line Stripe's path was only reworded into (``Individual:
verification: document``) into that path, so Settings shows the same lines as before until the
next refresh or ``account.updated`` event stores Stripe's own paths. Then the old columns go.
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import column_exists

from odoo.addons.account_stripe_connect import const

_logger = logging.getLogger(__name__)

# Old text column -> new field of Stripe's paths.
OLD_COLUMNS = {
    'stripe_requirements_due': 'stripe_requirement_codes_due',
    'stripe_requirements_past_due': 'stripe_requirement_codes_past_due',
}


def migrate(cr, version):
    columns = [column for column in OLD_COLUMNS if column_exists(cr, 'res_company', column)]
    if not columns:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    paths = _paths_of_labels(env)
    cr.execute(SQL(
        "SELECT id, %s FROM res_company",
        SQL(', ').join(SQL.identifier(column) for column in columns),
    ))
    for company_id, *texts in cr.fetchall():
        values = {
            OLD_COLUMNS[column]: _paths_of_text(text, paths)
            for column, text in zip(columns, texts, strict=True)
            if text
        }
        if values:
            env['res.company'].browse(company_id).write(values)
            _logger.info("Stripe requirements of company %s kept as paths: %s", company_id, values)
    for column in columns:
        cr.execute(SQL(
            "ALTER TABLE res_company DROP COLUMN %s", SQL.identifier(column),
        ))


def _paths_of_labels(env):
    """Return the first of Stripe's paths of each label, in every installed language."""
    paths = {}
    langs = ['en_US'] + [code for code, _name in env['res.lang'].get_installed()]
    for path, label in const.REQUIREMENT_LABELS.items():
        for lang in langs:
            paths.setdefault(env['res.company'].with_context(lang=lang).env._(label), path)
    return paths


def _paths_of_text(text, paths):
    """Return the paths of the stored lines, in their order, ``False`` when none."""
    result = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        path = paths.get(line) or line.lower().replace(': ', '.').replace(' ', '_')
        if path not in result:
            result.append(path)
    return result or False
