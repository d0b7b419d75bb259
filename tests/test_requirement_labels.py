from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools.translate import code_translations

from .common import StripeConnectCommon

FRENCH = {('account_stripe_connect', 'fr_FR'): {
    "Bank account for payouts": "Compte bancaire pour les virements",
    "Acceptance of Stripe's terms": "Acceptation des conditions de Stripe",
}}


@tagged('post_install', '-at_install')
class TestStripeRequirementLabels(StripeConnectCommon):
    """What Stripe still needs from an account, in words of the user's language."""

    REQUIREMENTS = [
        'external_account', 'tos_acceptance.date', 'tos_acceptance.ip', 'company.phone',
        'individual.verification.document',
    ]

    def test_labels_in_english(self):
        companies = self.env['res.company'].with_context(lang='en_US')
        self.assertEqual(
            companies._stripe_format_requirements(self.REQUIREMENTS),
            "Bank account for payouts\nAcceptance of Stripe's terms\nCompany phone\n"
            "Individual: verification: document",
        )
        self.assertFalse(companies._stripe_format_requirements([]))

    def test_labels_in_the_user_language(self):
        self.env['res.lang']._activate_lang('fr_FR')
        companies = self.env['res.company'].with_context(lang='fr_FR')
        with patch.dict(code_translations.python_translations, FRENCH):
            labels = companies._stripe_format_requirements(self.REQUIREMENTS)
        self.assertEqual(
            labels,
            "Compte bancaire pour les virements\nAcceptation des conditions de Stripe\n"
            "Company phone\nIndividual: verification: document",
            "translated where a translation exists, once per label",
        )

    def test_settings_show_the_labels_of_a_refresh_in_french(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self._connect_company()
        self.emulator.update_account(
            self.company.stripe_account_id, charges_enabled=False,
            requirements={'currently_due': ['external_account', 'company.phone'],
                          'past_due': ['tos_acceptance.date']},
        )
        settings = self.env['res.config.settings'].with_context(lang='fr_FR').create({})
        with patch.dict(code_translations.python_translations, FRENCH):
            settings.action_stripe_refresh()
        self.assertEqual(
            settings.stripe_requirements_due, "Compte bancaire pour les virements\nCompany phone",
        )
        self.assertEqual(
            settings.stripe_requirements_past_due, "Acceptation des conditions de Stripe",
        )
