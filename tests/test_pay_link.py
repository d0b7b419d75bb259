import base64
from urllib.parse import parse_qs, urlsplit

from lxml import html

from odoo.tests import Form, tagged

from .common import StripeConnectCommon


@tagged('post_install', '-at_install')
class TestStripePayLink(StripeConnectCommon):
    """The pay link of an invoice: when it exists, the email and the PDF carrying it."""

    def setUp(self):
        super().setUp()
        self._connect_company()
        self.calls_before = len(self.emulator.request_log)  # Only what follows counts.

    # === HELPERS === #

    def _make_invoices(self, count):
        return self.env['account.move'].concat(
            *(self._make_invoice(10.0 + index) for index in range(count))
        )

    def _stripe_requests(self):
        """Return the calls to Stripe made since the company was connected."""
        return self.emulator.request_log[self.calls_before:]

    def _send_wizard(self, invoice):
        action = invoice.action_send_and_print()
        self.assertEqual(action['res_model'], 'account.move.send.wizard')
        return self.env[action['res_model']].with_context(**action['context']).create({})

    def _sent_message(self, invoice):
        return self.env['mail.message'].search([
            ('model', '=', 'account.move'), ('res_id', '=', invoice.id),
            ('message_type', '=', 'comment'),
        ], order='id desc', limit=1)

    def _assert_link_of(self, invoice, url):
        parts = urlsplit(url)
        self.assertEqual(f'{parts.scheme}://{parts.netloc}', invoice.get_base_url())
        self.assertEqual(parts.path, f'/stripe/pay/{invoice.id}')
        self.assertEqual(parse_qs(parts.query), {'access_token': [invoice.access_token]})

    def _pay_in_full_by_hand(self, invoice):
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({})._create_payments()

    # === THE LINK === #

    def test_link_of_a_posted_invoice_with_amount_due(self):
        invoice = self._make_invoice(100.0)
        self.assertIsNone(invoice._stripe_payment_refusal())
        url = invoice.stripe_pay_url
        self.assertTrue(invoice.access_token, "the portal token protects the link")
        self._assert_link_of(invoice, url)

    def test_no_link_while_draft_or_cancelled(self):
        invoice = self._make_invoice(100.0, post=False)
        self.assertEqual(invoice._stripe_payment_refusal(), 'draft')
        self.assertFalse(invoice.stripe_pay_url)
        invoice.action_post()
        self.assertTrue(invoice.stripe_pay_url)
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(invoice._stripe_payment_refusal(), 'cancelled')
        self.assertFalse(invoice.stripe_pay_url)

    def test_no_link_once_paid(self):
        invoice = self._make_invoice(100.0)
        self._pay_in_full_by_hand(invoice)
        self.assertEqual(invoice._stripe_payment_refusal(), 'paid')
        self.assertFalse(invoice.stripe_pay_url)

    def test_no_link_for_credit_notes_and_bills(self):
        invoice = self._make_invoice(100.0)
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        self.assertEqual(credit_note._stripe_payment_refusal(), 'not_invoice')
        self.assertFalse(credit_note.stripe_pay_url)
        bill = self.init_invoice('in_invoice', amounts=[100.0], post=True)
        self.assertFalse(bill.stripe_pay_url)

    def test_no_link_in_a_currency_stripe_does_not_support(self):
        rial = self.setup_other_currency('IRR')
        invoice = self._make_invoice(100.0, currency=rial)
        self.assertEqual(invoice._stripe_payment_refusal(), 'currency')
        self.assertFalse(invoice.stripe_pay_url)

    def test_no_link_when_the_company_cannot_take_payments(self):
        invoice = self._make_invoice(100.0)
        self.assertTrue(invoice.stripe_pay_url)

        # Charges disabled on Stripe's side.
        self.emulator.update_account(self.company.stripe_account_id, charges_enabled=False)
        self.company._stripe_refresh_account()
        invoice.invalidate_recordset(['stripe_pay_url'])
        self.assertEqual(invoice._stripe_payment_refusal(), 'unavailable')
        self.assertFalse(invoice.stripe_pay_url)

        # Platform keys removed.
        self.emulator.update_account(self.company.stripe_account_id, charges_enabled=True)
        self.company._stripe_refresh_account()
        self.platform._set_setting('publishable_key', False)
        invoice.invalidate_recordset(['stripe_pay_url'])
        self.assertFalse(invoice.stripe_pay_url)
        self.platform._set_setting('publishable_key', 'pk_test_emulator')

        # Company disconnected.
        self.company._stripe_disconnect(deauthorize=False)
        invoice.invalidate_recordset(['stripe_pay_url'])
        self.assertEqual(invoice._stripe_payment_refusal(), 'unavailable')
        self.assertFalse(invoice.stripe_pay_url)

    def test_links_make_no_stripe_call(self):
        invoices = self._make_invoices(20)
        urls = invoices.mapped('stripe_pay_url')
        self.assertEqual(len(set(urls)), 20)
        self.assertEqual(self._stripe_requests(), [])

    def test_back_office_copies_the_link(self):
        invoice = self._make_invoice(100.0)
        action = invoice.action_stripe_copy_pay_link()
        self.assertEqual(action['params']['message'], invoice.stripe_pay_url)
        arch = self.env['account.move'].get_view(
            self.env.ref('account.view_move_form').id,
        )['arch']
        field = html.fromstring(arch).xpath("//page[@name='stripe']//field[@name='stripe_pay_url']")
        self.assertEqual(field[0].get('widget'), 'CopyClipboardChar')

    # === THE EMAIL === #

    def test_send_uses_the_pay_online_template(self):
        template = self.env.ref('account_stripe_connect.email_template_invoice_pay_online')
        invoice = self._make_invoice(120.0)
        wizard = self._send_wizard(invoice)
        self.assertEqual(wizard.template_id, template)
        self.assertIn(invoice.stripe_pay_url, wizard.body)

        wizard.action_send_and_print()

        message = self._sent_message(invoice)
        body = html.fromstring(message.body)
        button = body.xpath("//a[contains(@class, 'o_stripe_pay_online_button')]")
        self.assertEqual(len(button), 1)
        self.assertEqual(button[0].text_content().strip(), "Pay online")
        self.assertEqual(button[0].get('href'), invoice.stripe_pay_url)
        link = body.xpath("//a[contains(@class, 'o_stripe_pay_online_link')]")
        self.assertEqual(link[0].text_content().strip(), invoice.stripe_pay_url)
        self.assertEqual(message.partner_ids, self.customer)
        pdf = message.attachment_ids.filtered(lambda a: a.name.endswith('.pdf'))
        self.assertEqual(pdf.name, invoice._get_invoice_report_filename())
        self.assertEqual(pdf.raw, invoice.invoice_pdf_report_id.raw, "the invoice's PDF")
        self.assertEqual(self._stripe_requests(), [], "sending makes no Stripe call")

    def test_send_keeps_odoo_template_when_not_connected(self):
        self.company._stripe_disconnect(deauthorize=False)
        invoice = self._make_invoice(120.0)
        wizard = self._send_wizard(invoice)
        self.assertEqual(wizard.template_id, self.env.ref('account.email_template_edi_invoice'))
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        self.assertEqual(
            self.env['account.move.send']._get_default_mail_template_id(credit_note),
            self.env.ref('account.email_template_edi_credit_note'),
        )

    def test_sending_many_invoices_makes_no_stripe_call(self):
        invoices = self._make_invoices(12)
        action = invoices.action_send_and_print()
        self.assertEqual(action['res_model'], 'account.move.send.batch.wizard')
        wizard = self.env[action['res_model']].with_context(**action['context']).create({})
        wizard.action_send_and_print()
        with self.enter_registry_test_mode():
            self.env.ref('account.ir_cron_account_move_send').method_direct_trigger()

        for invoice in invoices:
            message = self._sent_message(invoice)
            self.assertIn(invoice.stripe_pay_url, message.body)
            self.assertIn('o_stripe_pay_online_button', message.body)
            self.assertEqual(
                message.attachment_ids.mapped('name'), [invoice._get_invoice_report_filename()],
            )
        self.assertEqual(self._stripe_requests(), [], "sending makes no Stripe call")
        self.assertFalse(invoices.stripe_payment_intent_ids)

    def test_template_is_editable_and_translatable(self):
        template = self.env.ref('account_stripe_connect.email_template_invoice_pay_online')
        self.env['res.lang']._activate_lang('fr_FR')
        template.update_field_translations('subject', {
            'fr_FR': "Facture {{ object.name }} de {{ object.company_id.name }}",
        })
        template.body_html = template.body_html.replace(
            "Do not hesitate to contact us", "Call us anytime",
        )
        self.customer.lang = 'fr_FR'
        invoice = self._make_invoice(80.0)
        wizard = self._send_wizard(invoice)
        self.assertEqual(wizard.subject, f"Facture {invoice.name} de {self.company.name}")
        wizard.lang = 'en_US'
        self.assertIn("Call us anytime", wizard.body)
        self.assertIn(invoice.stripe_pay_url, wizard.body)

    # === THE PDF === #

    def _invoice_html(self, invoice):
        content, _type = self.env['ir.actions.report']._render_qweb_html(
            'account.account_invoices', invoice.ids,
        )
        return html.fromstring(content)

    def test_pdf_shows_the_link_and_a_qr_code(self):
        invoice = self._make_invoice(100.0)
        block = self._invoice_html(invoice).xpath("//div[@id='stripe_pay_online']")
        self.assertEqual(len(block), 1)
        link = block[0].xpath(".//a[contains(@class, 'o_stripe_pay_link')]")[0]
        self.assertEqual(link.get('href'), invoice.stripe_pay_url)
        self.assertEqual(link.text_content().strip(), invoice.stripe_pay_url)
        qr = block[0].xpath(".//img")[0]
        prefix = 'data:image/svg+xml;base64,'
        self.assertTrue(qr.get('src').startswith(prefix))
        svg = base64.b64decode(qr.get('src')[len(prefix):])
        self.assertIn(b'<svg', svg)
        self.assertIn(b'<path', svg)
        self.assertEqual(self._stripe_requests(), [])

    def test_pdf_without_link_when_not_payable_online(self):
        invoice = self._make_invoice(100.0)
        self._pay_in_full_by_hand(invoice)
        self.assertFalse(self._invoice_html(invoice).xpath("//div[@id='stripe_pay_online']"))
        other = self._make_invoice(100.0)
        self.company._stripe_disconnect(deauthorize=False)
        self.assertFalse(self._invoice_html(other).xpath("//div[@id='stripe_pay_online']"))

    def test_wizard_form_shows_the_link(self):
        """The Send dialog, as the accountant sees it, previews the email with the link."""
        invoice = self._make_invoice(60.0)
        action = invoice.action_send_and_print()
        with Form(self.env[action['res_model']].with_context(**action['context'])) as wizard:
            self.assertIn(invoice.stripe_pay_url, wizard.body)
