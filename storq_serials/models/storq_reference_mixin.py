from odoo import api
from odoo import models


class StorqReferenceMixin(models.AbstractModel):
    """A business document whose reference (`name`) comes from the sequence of its company:
    claims, recalls, audits. `_storq_sequence_code` names the sequence."""

    _name = "storq.reference.mixin"
    _description = "Storq document reference from a sequence"
    _storq_sequence_code = None

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                sequence = self.env["ir.sequence"].with_company(company)
                vals["name"] = sequence.next_by_code(self._storq_sequence_code) or "/"
        return super().create(vals_list)
