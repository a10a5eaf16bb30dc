from collections import defaultdict

from odoo import fields
from odoo import models
from odoo.fields import Command

from ..tools import warranty as wty


class StockLot(models.Model):
    """Warranty extensions sold as services: applied to a unit once its warranty has started."""

    _inherit = "stock.lot"

    def _storq_apply_pending_extensions(self):
        """Apply the confirmed extension lines not yet applied to these units: lines naming the
        unit, and lines of the order the unit was delivered on that name none (as many units as
        the line's quantity). Each extension adds its duration to the unit's current end (from the
        delivery for a product without terms) and writes an event. A unit whose warranty has not
        started yet (invoice, registration) keeps its extensions pending until it starts.

        One query finds the lines; one write and one event statement per applied line."""
        lots = self.sudo().filtered(lambda lot: lot.storq_state == "delivered")
        if not lots:
            return
        lines = (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [
                    ("product_id.storq_warranty_extension", "=", True),
                    ("state", "=", "sale"),
                    "|",
                    ("storq_lot_id", "in", lots.ids),
                    "&",
                    ("storq_lot_id", "=", False),
                    ("order_id", "in", lots.storq_sale_id.ids),
                ],
                order="id",
            )
        )
        if not lines:
            return
        terms = lots._storq_warranty_terms()
        by_order = defaultdict(list)
        for lot in lots.sorted("id"):
            by_order[lot.storq_sale_id].append(lot)
        current = {lot: (lot.storq_warranty_date_start, lot.storq_warranty_date_end) for lot in lots}
        units_label = dict(
            self.env["product.template"]._fields["storq_warranty_unit"]._description_selection(self.env)
        )
        for line in lines:
            template = line.product_id.product_tmpl_id.with_company(line.company_id)
            duration, unit = template.storq_warranty_duration, template.storq_warranty_unit or "months"
            if not duration or duration <= 0:
                continue
            done = line.storq_extended_lot_ids
            if line.storq_lot_id:
                candidates = (
                    [line.storq_lot_id] if line.storq_lot_id in lots and line.storq_lot_id not in done else []
                )
            else:
                room = int(line.product_uom_qty) - len(done)
                candidates = [lot for lot in by_order[line.order_id] if lot not in done][: max(room, 0)]
            changes = {}
            for lot in candidates:
                start, end = current[lot]
                if not end:
                    if terms[lot]:
                        continue  # its warranty starts later (invoice, registration): pending
                    start = end = fields.Datetime.context_timestamp(self, lot.storq_delivered_date).date()
                end = wty.add_duration(end, duration, unit)
                current[lot] = (start, end)
                note = self.env._(
                    "Extension %(order)s: %(duration)s %(unit)s.",
                    order=line.order_id.name,
                    duration=duration,
                    unit=units_label[unit],
                )
                changes[lot] = (start, end, note, line.order_id)
            if changes:
                applied = self.browse([lot.id for lot in changes])
                applied._storq_write_warranty(changes, "warranty_extended")
                line.write({"storq_extended_lot_ids": [Command.link(lot_id) for lot_id in applied.ids]})
