from odoo import api
from odoo import models


class StorqSerialEvent(models.Model):
    _inherit = "storq.serial.event"

    @api.model
    def _selection_document_ref(self):
        """Warranty events point to invoices (invoice-started warranties) too."""
        selection = super()._selection_document_ref()
        if "account.move" in self.env:
            selection.append(("account.move", self.env["account.move"]._description))
        return selection
