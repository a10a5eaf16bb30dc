from odoo import api
from odoo import models


class StorqSerialEvent(models.Model):
    """Events of a claim (opened, approved, resolved...) point to the claim."""

    _inherit = "storq.serial.event"

    # ------------------------------------------------------------------
    # Selection
    # ------------------------------------------------------------------
    @api.model
    def _selection_document_ref(self):
        return [*super()._selection_document_ref(), ("storq.warranty.claim", "Warranty Claim")]
