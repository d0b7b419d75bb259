import base64
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from lxml import html

from odoo.fields import Command
from odoo.modules.module import load_script
from odoo.tests import tagged
from odoo.tools.translate import code_translations

from odoo.addons.mail.tests.common import MockEmail

from .common import StripeConnectCommon


@tagged('post_install', '-at_install')
class TestStripePayLink(StripeConnectCommon, MockEmail):
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

    def _mail_to(self, partner, invoice):
        """Return the email Odoo wrote for a recipient of the invoice's last message."""
        mail = self._new_mails.filtered(
            lambda m: partner in m.recipient_ids and m.model == 'account.move'
            and m.res_id == invoice.id
        )
        self.assertEqual(len(mail), 1, f"one email to {partner.name}")
        return mail

    def _links_to_pay_pages(self, mail):
        """Return the links of an email that lead to a pay page, as (text, href) pairs."""
        body = html.fromstring(mail.body_html)
        return [
            (link.text_content().strip(), link.get('href'))
            for link in body.xpath("//a[contains(@href, '/stripe/pay/')]")
        ]

    def _assert_pay_button(self, mail, invoice, title="Pay online"):
        self.assertEqual(self._links_to_pay_pages(mail), [(title, invoice.stripe_pay_url)])

    def _assert_no_pay_button(self, mail):
        self.assertEqual(self._links_to_pay_pages(mail), [])
        self.assertNotIn('/stripe/pay/', mail.body_html)

    def test_send_with_odoo_template_carries_the_pay_button(self):
        invoice = self._make_invoice(120.0)
        wizard = self._send_wizard(invoice)
        self.assertEqual(
            wizard.template_id, self.env.ref('account.email_template_edi_invoice'),
            "Odoo's own invoice email, not a copy",
        )
        with self.mock_mail_gateway():
            wizard.action_send_and_print()

        mail = self._mail_to(self.customer, invoice)
        self._assert_pay_button(mail, invoice)
        self._assert_link_of(invoice, invoice.stripe_pay_url)
        self.assertIn(invoice.name, mail.body_html, "the body of Odoo's template")
        self.assertEqual(mail.subject, f"{self.company.name} Invoice (Ref {invoice.name})")
        message = self._sent_message(invoice)
        self.assertEqual(message.partner_ids, self.customer)
        pdf = message.attachment_ids.filtered(lambda a: a.name.endswith('.pdf'))
        self.assertEqual(pdf.name, invoice._get_invoice_report_filename())
        self.assertEqual(pdf.raw, invoice.invoice_pdf_report_id.raw, "the invoice's PDF")
        self.assertEqual(self._stripe_requests(), [], "sending makes no Stripe call")

    def test_send_with_a_customised_template_carries_the_pay_button(self):
        custom = self.env.ref('account.email_template_edi_invoice').copy({
            'name': "Our own invoice email",
            'subject': "Your invoice {{ object.name }}",
            'body_html': '<p>Dear customer, here is <t t-out="object.name"/>. Thanks!</p>',
        })
        invoice = self._make_invoice(120.0)
        wizard = self._send_wizard(invoice)
        wizard.template_id = custom
        with self.mock_mail_gateway():
            wizard.action_send_and_print()

        mail = self._mail_to(self.customer, invoice)
        self.assertEqual(mail.subject, f"Your invoice {invoice.name}")
        self.assertIn("Dear customer, here is", mail.body_html)
        self.assertNotIn("Please find attached", mail.body_html, "not Odoo's standard body")
        self._assert_pay_button(mail, invoice)

    def test_pay_button_only_for_the_customer_side(self):
        """Partners added as recipients get the pay link; internal users their back office."""
        accountant = self.env['res.partner'].create({
            'name': "Customer's Accountant", 'email': 'accountant@example.com',
        })
        colleague = self.env['res.users'].create({
            'name': "Colleague", 'login': 'colleague', 'email': 'colleague@example.com',
            'group_ids': [Command.set(self.env.ref('account.group_account_invoice').ids)],
            'notification_type': 'email',
        })
        invoice = self._make_invoice(120.0)
        invoice.message_subscribe(partner_ids=colleague.partner_id.ids)
        wizard = self._send_wizard(invoice)
        wizard.mail_partner_ids = self.customer | accountant
        with self.mock_mail_gateway():
            wizard.action_send_and_print()

        self._assert_pay_button(self._mail_to(self.customer, invoice), invoice)
        self._assert_pay_button(self._mail_to(accountant, invoice), invoice)
        internal = self._mail_to(colleague.partner_id, invoice)
        self._assert_no_pay_button(internal)
        back_office = [
            href for href in html.fromstring(internal.body_html).xpath('//a/@href')
            if '/mail/view?' in href and f'res_id={invoice.id}' in href
        ]
        self.assertTrue(back_office, "Odoo's View Invoice button for internal users")

    def test_no_pay_button_when_the_company_is_not_connected(self):
        self.company._stripe_disconnect(deauthorize=False)
        invoice = self._make_invoice(120.0)
        wizard = self._send_wizard(invoice)
        with self.mock_mail_gateway():
            wizard.action_send_and_print()
        mail = self._mail_to(self.customer, invoice)
        self._assert_no_pay_button(mail)
        self.assertIn("View Invoice", mail.body_html, "Odoo's own button stays")

    def test_no_pay_button_for_an_invoice_that_cannot_be_paid(self):
        invoice = self._make_invoice(120.0)
        self._pay_in_full_by_hand(invoice)
        credit_note = self._make_invoice(50.0)._reverse_moves()
        credit_note.action_post()
        for move in (invoice, credit_note):
            self.assertFalse(move.stripe_pay_url)
            wizard = self._send_wizard(move)
            with self.mock_mail_gateway():
                wizard.action_send_and_print()
            self._assert_no_pay_button(self._mail_to(self.customer, move))

    def test_messages_to_the_customer_carry_the_pay_button(self):
        """Any email to the customer in Odoo's layouts: a chatter message, a template."""
        invoice = self._make_invoice(120.0)
        with self.mock_mail_gateway():
            invoice.message_post(
                body="A friendly reminder.", partner_ids=self.customer.ids,
                message_type='comment', subtype_xmlid='mail.mt_comment',
            )
        self._assert_pay_button(self._mail_to(self.customer, invoice), invoice)

        with self.mock_mail_gateway():
            invoice.message_post_with_source(
                self.env.ref('account.email_template_edi_invoice'),
                subtype_xmlid='mail.mt_comment',
            )
        self._assert_pay_button(self._mail_to(self.customer, invoice), invoice)

        # The light layout has no button: the invoice's name is the link.
        with self.mock_mail_gateway():
            invoice.message_post(
                body="Light.", partner_ids=self.customer.ids, message_type='comment',
                subtype_xmlid='mail.mt_comment', email_layout_xmlid='mail.mail_notification_light',
            )
        links = self._links_to_pay_pages(self._mail_to(self.customer, invoice))
        self.assertEqual(links, [(invoice.name.replace('/', '-'), invoice.stripe_pay_url)])

    def test_sending_many_invoices_makes_no_stripe_call(self):
        invoices = self._make_invoices(12)
        action = invoices.action_send_and_print()
        self.assertEqual(action['res_model'], 'account.move.send.batch.wizard')
        wizard = self.env[action['res_model']].with_context(**action['context']).create({})
        with self.mock_mail_gateway():
            wizard.action_send_and_print()
            with self.enter_registry_test_mode():
                self.env.ref('account.ir_cron_account_move_send').method_direct_trigger()

        for invoice in invoices:
            self._assert_pay_button(self._mail_to(self.customer, invoice), invoice)
            self.assertEqual(
                self._sent_message(invoice).attachment_ids.mapped('name'),
                [invoice._get_invoice_report_filename()],
            )
        self.assertEqual(self._stripe_requests(), [], "sending makes no Stripe call")
        self.assertFalse(invoices.stripe_payment_intent_ids)

    def test_pay_button_in_the_customer_language(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.customer.lang = 'fr_FR'
        colleague = self.env['res.partner'].create({
            'name': "English-speaking colleague", 'email': 'colleague@example.com',
            'lang': 'en_US',
        })
        invoice = self._make_invoice(80.0)
        wizard = self._send_wizard(invoice)
        wizard.mail_partner_ids = self.customer | colleague
        french = {('account_stripe_connect', 'fr_FR'): {"Pay online": "Payer en ligne"}}
        with patch.dict(code_translations.python_translations, french), \
                self.mock_mail_gateway():
            wizard.action_send_and_print()

        mail = self._mail_to(self.customer, invoice)
        self.assertEqual(html.fromstring(mail.body_html).get('lang'), 'fr_FR')
        self._assert_pay_button(mail, invoice, title="Payer en ligne")
        self._assert_pay_button(self._mail_to(colleague, invoice), invoice, title="Pay online")

    def test_upgrade_removes_the_copied_template(self):
        """19.0.1.2.0's migration deletes the old copy; what used it falls back to Odoo's."""
        old = self.env['mail.template'].create({
            'name': "Invoice: Sending with online payment (Stripe)",
            'model_id': self.env['ir.model']._get_id('account.move'),
            'subject': "Old copy",
        })
        self.env['ir.model.data'].create({
            'module': 'account_stripe_connect', 'name': 'email_template_invoice_pay_online',
            'model': 'mail.template', 'res_id': old.id, 'noupdate': True,
        })
        standard = self.env.ref('account.email_template_edi_invoice')
        other = standard.copy({'name': "Another template"})
        action = self.env['ir.actions.server'].create({
            'name': "Send the invoice", 'model_id': old.model_id.id, 'state': 'mail_post',
            'template_id': old.id,
        })
        activity_type = self.env['mail.activity.type'].create({
            'name': "Remind to pay", 'mail_template_ids': [Command.set((old | other).ids)],
        })

        migration = load_script(
            'account_stripe_connect/migrations/19.0.1.2.0/post-migrate.py', 'post_migrate',
        )
        migration.migrate(self.env.cr, '19.0.1.0.0')
        self.env.invalidate_all()

        self.assertFalse(old.exists())
        self.assertFalse(self.env.ref(
            'account_stripe_connect.email_template_invoice_pay_online', raise_if_not_found=False,
        ))
        self.assertEqual(action.template_id, standard)
        self.assertEqual(activity_type.mail_template_ids, standard | other)
        migration.migrate(self.env.cr, '19.0.1.0.0')  # a second run finds nothing to do
        self.assertTrue(standard.exists())

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
