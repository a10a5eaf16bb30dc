from odoo import fields
from odoo import models

# The recall line resolution a claim's remedy gives; goodwill moves nothing and leaves it open.
CLAIM_RESOLUTIONS = {"repair": "repaired", "replace": "replaced", "refund": "refunded"}


class StorqWarrantyClaim(models.Model):
    """A claim opened for a recalled unit points to its recall line and resolves it: the
    unit's return advances the line (returned), the claim's remedy closes it."""

    _inherit = "storq.warranty.claim"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    recall_line_id = fields.Many2one(
        "storq.recall.line", "Recall line", readonly=True, copy=False, index="btree_not_null"
    )
    recall_id = fields.Many2one(related="recall_line_id.recall_id", string="Recall")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_link_recall_lines(self):
        """Link each new claim to its unit's open recall line (called by `create`, last)."""
        # Only blocked units can be under recall: the others cost no query.
        recalled = self.lot_id.sudo().filtered("storq_blocked")
        if not recalled:
            return
        lines = (
            self.env["storq.recall.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", recalled.ids),
                    ("recall_id.state", "=", "confirmed"),
                    ("state", "not in", ("resolved", "unreachable")),
                ],
                order="id",
            )
        )
        line_of = {line.lot_id: line for line in lines}
        for claim in self:
            if claim.lot_id in line_of:
                claim.sudo().recall_line_id = line_of[claim.lot_id]

    def _log_unit_events(self, event_type, note=None):
        # Hooked on the "claim resolved" event rather than `_mark_resolved`, which a file loaded
        # after this one defines.
        result = super()._log_unit_events(event_type, note=note)
        if event_type == "claim_resolved":
            self._storq_resolve_recall_lines()
        return result

    def _storq_resolve_recall_lines(self):
        """Close the recall lines of these resolved claims with their remedy."""
        for remedy, resolution in CLAIM_RESOLUTIONS.items():
            claims = self.filtered(
                lambda claim, remedy=remedy: claim.recall_line_id and claim.resolution == remedy
            )
            for claim in claims:
                self.env["storq.recall.line"]._storq_advance(
                    claim.lot_id, "resolved", document=claim.recall_id, resolution=resolution
                )
                # The claim's remedy is what the customer got, even when its return already
                # resolved the line by the returned unit's fate (a replaced unit is scrapped).
                line = claim.recall_line_id.sudo()
                if line.state == "resolved" and line.resolution != resolution:
                    line.write({"resolution": resolution})
