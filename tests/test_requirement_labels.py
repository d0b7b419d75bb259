from odoo.modules.module import load_script
from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.sql import column_exists

from .common import StripeConnectCommon


@tagged('post_install', '-at_install')
class TestStripeRequirementLabels(StripeConnectCommon):
    """What Stripe still needs from an account: Stripe's paths stored, shown in words of the
    language of whoever reads them (the addon's French translation, i18n/fr.po)."""

    REQUIREMENTS = [
        'external_account', 'tos_acceptance.date', 'tos_acceptance.ip', 'company.phone',
        'individual.verification.document',
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('fr_FR')

    def _update_requirements(self, currently_due, past_due=()):
        self.emulator.update_account(
            self.company.stripe_account_id, charges_enabled=False,
            requirements={'currently_due': list(currently_due), 'past_due': list(past_due)},
        )

    def test_labels_in_english(self):
        companies = self.env['res.company'].with_context(lang='en_US')
        self.assertEqual(
            companies._stripe_format_requirements(self.REQUIREMENTS),
            "Bank account for payouts\nAcceptance of Stripe's terms\nCompany phone\n"
            "Individual: verification: document",
        )
        self.assertEqual(
            companies._stripe_format_requirements([
                'person_1Nv0FGQ9RKHgCVdK.verification.document', 'person_2Ab.dob.day',
            ]),
            "Details of a person of the business",
            "a person's id means nothing to the reader: one line for the people",
        )
        self.assertFalse(companies._stripe_format_requirements([]))

    def test_labels_in_french(self):
        companies = self.env['res.company'].with_context(lang='fr_FR')
        self.assertEqual(
            companies._stripe_format_requirements(self.REQUIREMENTS),
            "Compte bancaire pour les virements\nAcceptation des conditions de Stripe\n"
            "Téléphone de la société\nIndividual: verification: document",
            "translated where a label exists, once per label; Stripe's words otherwise",
        )

    def test_each_reader_sees_the_labels_in_their_language(self):
        """A French user refreshes; an English user then reads English, the French one French."""
        self._connect_company()
        self._update_requirements(['external_account', 'company.phone'], ['tos_acceptance.date'])
        settings = self.env['res.config.settings'].with_context(lang='fr_FR').create({})

        settings.action_stripe_refresh()

        self.assertEqual(self.company.stripe_requirement_codes_due,
                         ['external_account', 'company.phone'], "Stripe's paths are stored")
        self.assertEqual(self.company.stripe_requirement_codes_past_due, ['tos_acceptance.date'])
        french = self.company.with_context(lang='fr_FR')
        self.assertEqual(french.stripe_requirements_due,
                         "Compte bancaire pour les virements\nTéléphone de la société")
        self.assertEqual(french.stripe_requirements_past_due,
                         "Acceptation des conditions de Stripe")
        english = self.company.with_context(lang='en_US')
        self.assertEqual(english.stripe_requirements_due,
                         "Bank account for payouts\nCompany phone")
        self.assertEqual(english.stripe_requirements_past_due, "Acceptance of Stripe's terms")
        # What Settings read: its related fields, in the reader's language.
        for lang, expected in (('en_US', "Bank account for payouts\nCompany phone"),
                               ('fr_FR', "Compte bancaire pour les virements\n"
                                         "Téléphone de la société")):
            values = self.env['res.config.settings'].with_context(lang=lang).create({}).read(
                ['stripe_requirements_due'],
            )[0]
            self.assertEqual(values['stripe_requirements_due'], expected, lang)

    def test_requirements_met_and_disconnection_clear_the_paths(self):
        self._connect_company()
        self._update_requirements(['external_account'])
        self.company._stripe_refresh_account()
        self.assertEqual(self.company.stripe_requirements_due, "Bank account for payouts")
        self._update_requirements([])
        self.company._stripe_refresh_account()
        self.assertFalse(self.company.stripe_requirement_codes_due)
        self.assertFalse(self.company.stripe_requirements_due)
        self._update_requirements(['external_account'])
        self.company._stripe_refresh_account()
        self.company._stripe_disconnect(deauthorize=False)
        self.assertFalse(self.company.stripe_requirement_codes_due)
        self.assertFalse(self.company.stripe_requirements_due)

    def test_upgrade_turns_stored_words_into_paths(self):
        """19.0.1.4.0's migration: the words the old version stored become Stripe's paths,
        and the old columns go."""
        cr = self.env.cr
        for column in ('stripe_requirements_due', 'stripe_requirements_past_due'):
            cr.execute(SQL("ALTER TABLE res_company ADD COLUMN %s text", SQL.identifier(column)))
        cr.execute(SQL(
            "UPDATE res_company SET stripe_requirements_due = %s, "
            "stripe_requirements_past_due = %s WHERE id = %s",
            "Bank account for payouts\nRepresentative's name\nIndividual: verification: document",
            "Acceptance of Stripe's terms", self.company.id,
        ))

        migration = load_script(
            'account_stripe_connect/migrations/19.0.1.4.0/post-migrate.py', 'post_migrate',
        )
        migration.migrate(cr, '19.0.1.3.0')

        self.company.invalidate_recordset()
        self.assertEqual(self.company.stripe_requirement_codes_due, [
            'external_account', 'representative.first_name', 'individual.verification.document',
        ])
        self.assertEqual(self.company.stripe_requirement_codes_past_due, ['tos_acceptance.date'])
        self.assertEqual(
            self.company.with_context(lang='en_US').stripe_requirements_due,
            "Bank account for payouts\nRepresentative's name\nIndividual: verification: document",
            "Settings shows the same lines as before the upgrade",
        )
        self.assertEqual(
            self.company.with_context(lang='fr_FR').stripe_requirements_past_due,
            "Acceptation des conditions de Stripe", "and now in the reader's language",
        )
        self.assertFalse(column_exists(cr, 'res_company', 'stripe_requirements_due'))
        self.assertFalse(column_exists(cr, 'res_company', 'stripe_requirements_past_due'))
        migration.migrate(cr, '19.0.1.3.0')  # Run twice: nothing left to do.
