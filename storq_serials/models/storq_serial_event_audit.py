from odoo import api
from odoo import models


class StorqSerialEvent(models.Model):
    _inherit = "storq.serial.event"

    # ------------------------------------------------------------------
    # Selection
    # ------------------------------------------------------------------
    @api.model
    def _selection_document_ref(self):
        """Audits are documents of events too ("audited")."""
        return [*super()._selection_document_ref(), ("storq.serial.audit", self.env._("Serial Audit"))]
