from lxml import html

from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .pay_common import StripePayCommon


@tagged('post_install', '-at_install')
class TestStripePayInFrench(StripePayCommon, MockEmail):
    """A French-speaking customer: the invoice email's pay button, the pay page, Stripe.js and
    every outcome page in French, from the addon's translation (i18n/fr.po); and Settings for
    a French-speaking user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Installing a language as Odoo does (activate it, load the translation files), for
        # this addon only: the whole database's would load every module's .po, for nothing.
        cls.env['res.lang']._activate_lang('fr_FR')
        cls.env['ir.module.module']._get('account_stripe_connect')._update_translations('fr_FR')
        cls.customer.lang = 'fr_FR'
        cls.euro = cls.setup_other_currency('EUR')

    # === HELPERS === #

    def _section(self, page):
        """The text of the page's state section (the form or an outcome), whitespace folded."""
        return self._text(page, 'o_stripe_state')

    def _assert_no_english(self, page, *sentences):
        text = ' '.join(page.text_content().split())
        for sentence in sentences:
            self.assertNotIn(sentence, text)

    # === THE EMAIL === #

    def test_invoice_email_carries_the_french_pay_button(self):
        invoice = self._make_invoice(80.0, currency=self.euro)
        action = invoice.action_send_and_print()
        wizard = self.env[action['res_model']].with_context(**action['context']).create({})
        with self.mock_mail_gateway():
            wizard.action_send_and_print()

        mail = self._new_mails.filtered(
            lambda m: self.customer in m.recipient_ids and m.res_id == invoice.id
        )
        self.assertEqual(len(mail), 1)
        body = html.fromstring(mail.body_html)
        self.assertEqual(body.get('lang'), 'fr_FR')
        buttons = [(link.text_content().strip(), link.get('href'))
                   for link in body.xpath("//a[contains(@href, '/stripe/pay/')]")]
        self.assertEqual(buttons, [("Payer en ligne", invoice.stripe_pay_url)])
        # The PDF attached says it too.
        content, _type = self.env['ir.actions.report']._render_qweb_html(
            'account.account_invoices', invoice.ids,
        )
        block = html.fromstring(content).xpath("//div[@id='stripe_pay_online']")[0]
        self.assertIn("Scannez le QR code ou ouvrez ce lien pour payer par carte",
                      block.text_content())

    # === THE PAGE === #

    def test_pay_page_in_french_with_stripe_js_in_french(self):
        invoice = self._make_invoice(100.0, currency=self.euro)

        page = self._open(invoice)

        self.assertEqual(page.get('lang'), 'fr-FR')
        form = self._form(page)
        self.assertEqual(form.get('data-locale'), 'fr', "Stripe.js's Payment Element in French")
        self.assertEqual(self._text(page, 'o_stripe_amount_due'), "100,00 €")
        self.assertEqual(
            [' '.join(dt.text_content().split()) for dt in page.xpath('//dl//dt')],
            ["Date de facturation", "Date d'échéance", "Facturé à", "Montant HT", "Taxes",
             "Total", "Montant dû"],
        )
        self.assertEqual(self._text(page, 'o_stripe_pdf_link'), "Télécharger la facture (PDF)")
        self.assertEqual(page.xpath('//h2')[0].text_content(), "Payer en ligne")
        self.assertEqual(self._text(page, 'o_stripe_pay_button'), "Payer 100,00 €")
        # What the page's script shows when something goes wrong is written in the page.
        self.assertEqual(
            self._text(form, 'o_stripe_msg_network'),
            "La connexion a été perdue. Aucun montant n'a été débité ; veuillez réessayer.",
        )
        self.assertEqual(
            self._text(form, 'o_stripe_msg_load'),
            "Le formulaire de paiement n'a pas pu être chargé. Vérifiez votre connexion et "
            "rechargez la page.",
        )
        self.assertEqual(self._text(page, 'o_stripe_footer'),
                         "Les paiements sont traités de manière sécurisée par Stripe.")
        self._assert_no_english(page, "Amount due", "Pay online", "Payments are processed")

    def test_partial_payment_in_french(self):
        self.company.write({
            'stripe_allow_partial_payments': True, 'stripe_partial_payment_minimum': 20.0,
        })
        invoice = self._make_invoice(100.0, currency=self.euro)
        tab = self._tab(invoice, amount='40')
        self.assertIn("Montant à payer", self._text(tab['page'], 'o_stripe_amount_choice'))
        self.assertIn("jusqu'au montant dû", self._text(tab['page'], 'o_stripe_amount_choice'))

        result = self._press(tab)
        page = self._get(result['redirect'].removeprefix(self.base_url()))

        self.assertEqual(self._text(page, 'o_stripe_paid'), "Merci, votre paiement a bien été reçu")
        receipt = self._text(page, 'o_stripe_receipt')
        self.assertIn("40,00 € payés par", receipt)
        self.assertIn("Stripe vous envoie le reçu par e-mail.", receipt)
        self.assertEqual(self._text(page, 'o_stripe_rest_due'),
                         "60,00 € restent à payer sur cette facture. Payer le reste")

    # === OUTCOMES === #

    def test_paid_in_french(self):
        invoice = self._make_invoice(100.0, currency=self.euro)
        result = self._press(self._tab(invoice))

        page = self._get(result['redirect'].removeprefix(self.base_url()))

        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_paid')]"))
        self.assertEqual(self._text(page, 'o_stripe_paid'), "Merci, votre paiement a bien été reçu")
        self.assertIn("100,00 € payés par", self._text(page, 'o_stripe_receipt'))
        self._assert_no_english(page, "Thank you", "paid with")
        # Opened again later: the invoice is paid.
        page = self._open(invoice)
        self.assertEqual(self._text(page, 'o_stripe_message'), "Cette facture est payée. Merci !")

    def test_pending_voucher_in_french(self):
        invoice = self._make_invoice(100.0, currency=self.euro)
        card_tab = self._tab(invoice)
        result = self._press(self._tab(invoice), 'multibanco')

        page = self._get(result['redirect'].removeprefix(self.base_url()))

        self.assertTrue(page.xpath("//*[contains(@class, 'o_stripe_state_pending')]"))
        self.assertEqual(self._text(page, 'o_stripe_pending'), "Votre paiement vous attend")
        section = self._section(page)
        self.assertIn("en suivant les instructions ci-dessous avant leur expiration.", section)
        self.assertIn("La facture sera marquée comme payée dès que Stripe aura reçu le paiement",
                      section)
        self.assertEqual(
            [' '.join(dt.text_content().split())
             for dt in page.xpath("//dl[contains(@class, 'o_stripe_instructions')]//dt")],
            ["Moyen de paiement", "Entité", "Référence", "Expire le"],
        )
        self.assertEqual(self._text(page, 'o_stripe_instructions_link'),
                         "Ouvrir les instructions de paiement")
        # A card payment from a tab opened before is refused, in French.
        answer = self._press(card_tab, 'visa')
        self.assertIn("Un paiement de cette facture vous attend", answer['error'])
        self.assertTrue(answer['final'])

    def test_failed_payment_and_errors_in_french(self):
        invoice = self._make_invoice(100.0, currency=self.euro)
        tab = self._tab(invoice)

        answer = self._press(tab, token='not-a-token')
        self.assertEqual(answer['error'], "Vos informations de paiement ne nous sont pas "
                                          "parvenues. Aucun montant n'a été débité\u00a0; "
                                          "veuillez réessayer.")

        self._press(tab, 'declined')
        intent = self._only_intent(invoice)
        self.assertEqual(intent.state, 'failed')
        page = self._get(self._path(invoice, payment_intent=intent.stripe_id))
        self.assertEqual(self._text(page, 'o_stripe_failed'), "Le paiement n'a pas abouti")
        self.assertIn("Aucun montant n'a été débité.", self._section(page))
        self.assertEqual(self._text(page, 'o_stripe_retry'), "Réessayer")

        page = self._open(self._make_invoice(100.0, currency=self.euro, post=False))
        self.assertEqual(self._text(page, 'o_stripe_unavailable'),
                         "Le paiement en ligne n'est pas disponible")
        self.assertEqual(self._text(page, 'o_stripe_message'),
                         "Cette facture ne peut pas encore être payée.")

    # === THE BACK OFFICE === #

    def test_settings_in_french(self):
        self.emulator.update_account(
            self.company.stripe_account_id, charges_enabled=False,
            requirements={'currently_due': ['external_account'], 'past_due': []},
        )
        settings = self.env['res.config.settings'].with_context(lang='fr_FR')
        settings.create({}).action_stripe_refresh()

        arch = html.fromstring(settings.get_views([(False, 'form')])['views']['form']['arch'])
        text = ' '.join(arch.text_content().split())
        block = arch.xpath("//block[@id='stripe_connect_setting_container']")[0]
        self.assertEqual(block.get('title'), "Traitement des paiements")
        self.assertIn("2. Société connectée à son compte Stripe", text)
        buttons = {button.get('name'): button.get('string') for button in arch.xpath('//button')}
        self.assertEqual(buttons['action_stripe_refresh'], "Actualiser")
        self.assertEqual(buttons['action_stripe_disconnect'], "Déconnecter")
        fields = settings.fields_get(['stripe_requirements_due'])
        self.assertEqual(fields['stripe_requirements_due']['string'], "Exigences dues")
        self.assertEqual(settings.create({}).stripe_requirements_due,
                         "Compte bancaire pour les virements")
