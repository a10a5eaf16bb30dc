from odoo import models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_quarantine_location(self):
        """The warehouse's recall quarantine location, created (internal, under the
        warehouse's view location) when missing."""
        self.ensure_one()
        Location = self.env["stock.location"].sudo()
        location = Location.search(
            [("storq_quarantine", "=", True), ("location_id", "=", self.view_location_id.id)], limit=1
        )
        if not location:
            location = Location.create(
                {
                    "name": self.env._("Quarantine"),
                    "usage": "internal",
                    "location_id": self.view_location_id.id,
                    "company_id": self.company_id.id,
                    "storq_quarantine": True,
                }
            )
        return location.with_env(self.env)
