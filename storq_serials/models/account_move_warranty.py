from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        """Posting a customer invoice starts the warranty of the units of its sale lines whose
        terms start at the invoice."""
        posted = super()._post(soft)
        invoices = posted.filtered(lambda move: move.move_type == "out_invoice")
        if invoices:
            self.env["stock.lot"]._storq_start_on_invoice(invoices)
        return posted
