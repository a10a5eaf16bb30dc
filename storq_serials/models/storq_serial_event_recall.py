from odoo import api
from odoo import models


class StorqSerialEvent(models.Model):
    _inherit = "storq.serial.event"

    # ------------------------------------------------------------------
    # Selection
    # ------------------------------------------------------------------
    @api.model
    def _selection_document_ref(self):
        """Recall events point to their recall."""
        return [*super()._selection_document_ref(), ("storq.recall", self.env["storq.recall"]._description)]
