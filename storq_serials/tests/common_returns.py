from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form

from ..models.stock_lot_unit_return import SUSPICIOUS_RETURNS_KEY
from .common import StorqSerialsCase


class StorqReturnsCase(StorqSerialsCase):
    """Units bought from a vendor, sold and delivered to customers, ready to come back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Laptop Vendor Ltd"})
        cls.customer = cls.env["res.partner"].create({"name": "Acme Customer", "is_company": True})
        cls.customer_contact = cls.env["res.partner"].create(
            {"name": "Jane at Acme", "parent_id": cls.customer.id}
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Globex Secret Buyer", "is_company": True}
        )
        cls.reasons = {
            code: cls.env.ref(f"storq_serials.return_reason_{code}")
            for code in (
                "defective",
                "wrong_item",
                "damaged_in_transit",
                "not_needed",
                "warranty",
                "recall",
                "other",
            )
        }

    def _receive(self, serials, product=None, vendor=None):
        """Buy and receive units; return their lots in the order of `serials`."""
        product = product or self.laptop
        order = self.env["purchase.order"].create(
            {
                "partner_id": (vendor or self.vendor).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_qty": len(serials), "price_unit": 100})
                ],
            }
        )
        order.button_confirm()
        picking = order.picking_ids
        self._set_unit_lines(picking.move_ids, [{"lot_name": serial} for serial in serials])
        picking.button_validate()
        lots = self.Lot.search([("product_id", "=", product.id), ("name", "in", serials)])
        return lots.sorted(lambda lot: serials.index(lot.name))

    def _sell(self, customer, lots, product=None):
        """Sell and deliver `lots` to `customer`; return the sale order."""
        product = product or lots[:1].product_id
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": len(lots)})],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        self._set_unit_lines(delivery.move_ids, [{"lot_id": lot.id, "picked": True} for lot in lots])
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        return order

    def _return_wizard(self, record, serials, **defaults):
        """A return wizard started from `record` (customer, order or delivery), checked."""
        form = Form(
            self.env["storq.serial.return"].with_context(active_model=record._name, active_id=record.id)
        )
        form.serial_text = "\n".join(serials)
        for name, value in defaults.items():
            setattr(form, name, value)
        wizard = form.save()
        wizard.action_check()
        return wizard

    def _verdicts(self, wizard):
        return {line.raw_input: (line.status, line.verdict) for line in wizard.line_ids}

    def _standard_return(self, delivery, lots):
        """Odoo's own return wizard on `delivery`, with `lots` on the return's lines."""
        form = Form(
            self.env["stock.return.picking"].with_context(active_id=delivery.id, active_model="stock.picking")
        )
        wizard = form.save()
        wizard.product_return_moves.quantity = len(lots)
        picking = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self._set_unit_lines(picking.move_ids, [{"lot_id": lot.id, "picked": True} for lot in lots])
        return picking

    def _suspicious(self, lots):
        return self.env["storq.serial.event"].search(
            [("lot_id", "in", lots.ids), ("event_type", "=", "suspicious_return")]
        )

    def _validate_refused(self, picking):
        """Validate, expecting a refusal; return its message once the refused attempts are logged.

        The attempts are written when the refused transaction ends; a test transaction never
        ends, so they are written here as the hook would.
        """
        with self.assertRaises(UserError) as refusal:
            picking.button_validate()
        self._write_pending_suspicious_returns()
        return str(refusal.exception)

    def _write_pending_suspicious_returns(self):
        pending = self.env.cr.postrollback.data.get(SUSPICIOUS_RETURNS_KEY, [])
        self.env["stock.lot"]._storq_log_suspicious_returns(list(pending))
        pending.clear()  # nothing left for the hook when the test cursor closes
        self.env.invalidate_all()
