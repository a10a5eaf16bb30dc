from odoo import api
from odoo import models

from ..tools.labels import LABEL_SIZES
from ..tools.labels import barcode_image_src


class StorqSerialLabel(models.AbstractModel):
    """What goes on serial labels: one label per unit, with its barcode drawn by python-barcode.

    The label reports (report/storq_serial_label_reports.xml) call it for units (stock.lot)
    and for the units of transfers (their move lines' serials, validated or not).
    """

    _name = "storq.serial.label"
    _description = "Serial Label Builder"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _get_label_size(self, size):
        """Dimensions (mm) and text size (pt) of a label size key such as '62x29'."""
        return LABEL_SIZES[size]

    @api.model
    def _get_lot_units(self, lots):
        """[(product, serial)]: one unit per lot, in the order given."""
        return [(lot.product_id, lot.name) for lot in lots]

    @api.model
    def _get_picking_units(self, pickings):
        """[(product, serial)] for the serial-tracked units of transfers.

        A validated line gives its unit's serial, a line not validated yet the serial typed on
        it; lines without serial are left out, and a unit on several lines is labelled once.
        """
        units = []
        seen = set()
        lines = pickings.move_line_ids.filtered(
            lambda line: line.product_id.tracking == "serial" and (line.lot_id or line.lot_name)
        )
        for line in lines.sorted(lambda line: (line.picking_id.id, line.move_id.id, line.id)):
            serial = line.lot_id.name or line.lot_name
            key = (line.product_id.id, serial)
            if key not in seen:
                seen.add(key)
                units.append((line.product_id, serial))
        return units

    @api.model
    def _get_labels(self, records, size):
        """The labels of units (stock.lot) or of the units of transfers (stock.picking)."""
        if records._name == "stock.picking":
            units = self._get_picking_units(records)
        else:
            units = self._get_lot_units(records)
        return [self._prepare_label(product, serial, size) for product, serial in units]

    @api.model
    def _prepare_label(self, product, serial, size):
        """The values one label shows: product, serial, barcode image and its text."""
        content, image_src = barcode_image_src(
            serial, product.barcode, bar_height=LABEL_SIZES[size]["bar_height"]
        )
        return {
            "product_name": product.display_name,
            "serial": serial,
            "barcode_src": image_src,
            "barcode_text": content.text,
            "symbology": content.symbology,
        }
