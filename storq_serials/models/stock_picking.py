from odoo import models
from odoo.exceptions import ValidationError

# Picking types whose form listens to the scanner.
SCAN_PICKING_TYPES = ("incoming", "internal")
STOCK_USAGES = ("internal", "transit")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Business methods: scanning serials into a transfer
    # ------------------------------------------------------------------
    def storq_scan(self, barcode, context_product_id=False):
        """Handle one scan from a hardware scanner on this receipt or internal transfer.

        A product barcode selects the product whose serials come next; a serial (of that
        product, or carried with its GTIN by a GS1 code) is checked and added at once.
        Returns what the form shows: ``{"status": "product" | "ok" | "error", "message",
        "product_id", "product_name", "serial", "scanned", "expected"}`` (the last two count
        the product's units scanned and expected). A refused scan writes nothing.
        """
        self.ensure_one()
        self.check_access("write")
        barcode = (barcode or "").strip()
        if self.state in ("done", "cancel") or self.picking_type_code not in SCAN_PICKING_TYPES:
            return self._storq_scan_error(
                self.env._(
                    "%(transfer)s does not take scans: only receipts and internal transfers that "
                    "are not done or cancelled do.",
                    transfer=self.display_name,
                )
            )
        product, serial, gtin = self._storq_parse_scan(barcode)
        if gtin and not product:
            return self._storq_scan_error(
                self.env._(
                    "No product has the GTIN %(gtin)s: add it as the product's barcode, or scan the "
                    "product's own barcode.",
                    gtin=gtin,
                )
            )
        if product and not serial:
            return self._storq_check_scanned_product(product) or self._storq_scan_answer(
                "product",
                self.env._("%(product)s: now scan its serials.", product=product.display_name),
                product,
            )
        if not product:
            product = self.env["product.product"].browse(context_product_id).exists()
            serial = barcode
            if not product:
                return self._storq_scan_error(
                    self.env._(
                        "%(barcode)s is not the barcode of a product: scan the product first, then "
                        "its serials.",
                        barcode=barcode,
                    )
                )
        refusal = self._storq_check_scanned_product(product)
        if refusal:
            return refusal
        verdict = self.env["storq.serial.validation"]._check_serials(
            [(product, serial, self.company_id)], check_existing=False
        )[0]
        if verdict.error:
            return self._storq_scan_error(verdict.error)
        if self.picking_type_code == "incoming":
            return self._storq_scan_receive(product, verdict.serial)
        return self._storq_scan_move(product, verdict.serial)

    def _storq_parse_scan(self, barcode):
        """(product, serial, GTIN) read with the company's barcode nomenclature.

        A GS1 code carrying a GTIN (01) gives the product and, with (21) or (10), the serial.
        Any other code is a product barcode when a product has it, else a serial.
        """
        nomenclature = self.company_id.nomenclature_id
        try:
            parsed = nomenclature.parse_barcode(barcode) if nomenclature and barcode else None
        except (ValidationError, ValueError):
            parsed = None
        if isinstance(parsed, list):
            gtins = [item["value"] for item in parsed if item["type"] == "product"]
            if gtins:
                # Serial number (21) first, then batch/lot (10).
                lots = sorted(
                    (item for item in parsed if item["type"] == "lot"), key=lambda i: i["ai"] != "21"
                )
                # A GTIN-14 is the product barcode (EAN-13, UPC-A, EAN-8) left-padded with zeros.
                padding = len(gtins[0]) - len(gtins[0].lstrip("0"))
                codes = {gtins[0][index:] for index in range(padding + 1)}
                return self._storq_find_product(codes), lots[0]["value"] if lots else False, gtins[0]
        codes = {barcode}
        if isinstance(parsed, dict) and parsed.get("type") == "product":
            codes |= {parsed["code"], parsed["base_code"]}
        return self._storq_find_product(codes), False, False

    def _storq_find_product(self, codes):
        return self.env["product.product"].search(
            [("barcode", "in", list(codes)), ("company_id", "in", [False, self.company_id.id])], limit=1
        )

    def _storq_check_scanned_product(self, product):
        """A refusal when `product` cannot take serials on this transfer, else False."""
        if product.tracking != "serial":
            return self._storq_scan_error(
                self.env._(
                    "%(product)s is not tracked by serial number: enter its quantity on the transfer.",
                    product=product.display_name,
                )
            )
        if not self._storq_scan_moves(product):
            return self._storq_scan_error(
                self.env._(
                    "%(product)s is not expected on %(transfer)s: check the product, or add it to "
                    "the transfer first.",
                    product=product.display_name,
                    transfer=self.display_name,
                )
            )
        return False

    def _storq_scan_moves(self, product):
        return self.move_ids.filtered(
            lambda move: move.product_id == product and move.state not in ("done", "cancel")
        )

    def _storq_scan_receive(self, product, serial):
        """Receive the unit `serial` of `product`, unless scanned already or already in stock."""
        scanned = self.move_line_ids.filtered(
            lambda line: line.product_id == product and serial in (line.lot_name, line.lot_id.name)
        )
        if scanned:
            return self._storq_scan_error(
                self.env._(
                    "%(serial)s was already scanned on %(transfer)s: each unit is scanned once.",
                    serial=serial,
                    transfer=self.display_name,
                ),
            )
        in_stock = (
            self.env["stock.quant"]
            .sudo()
            .search_fetch(
                [
                    ("product_id", "=", product.id),
                    ("lot_id.name", "=", serial),
                    ("location_id.usage", "in", STOCK_USAGES),
                    ("company_id", "=", self.company_id.id),
                    ("quantity", ">", 0),
                ],
                ["location_id"],
                limit=1,
            )
        )
        if in_stock:
            return self._storq_scan_error(
                self.env._(
                    "%(serial)s of %(product)s is already in stock in %(location)s: the same unit "
                    "cannot be received twice. Check the label.",
                    serial=serial,
                    product=product.display_name,
                    location=in_stock.location_id.display_name,
                ),
            )
        self._storq_confirm_for_scan()
        moves = self._storq_scan_moves(product)
        empty = moves.move_line_ids.filtered(lambda line: not (line.lot_id or line.lot_name or line.picked))
        vals = {"lot_name": serial, "quantity": 1, "picked": True}
        self._storq_scan_write_line(moves[:1], empty[:1], vals)
        return self._storq_scan_ok(
            product,
            serial,
            self.env._("%(serial)s received (%(product)s).", serial=serial, product=product.display_name),
        )

    def _storq_scan_move(self, product, serial):
        """Move the unit `serial` of `product`, which must be in stock under the source location."""
        lot = self.env["stock.lot"].search(
            [
                ("product_id", "=", product.id),
                ("name", "=", serial),
                ("company_id", "in", [False, self.company_id.id]),
            ],
            limit=1,
        )
        if not lot:
            return self._storq_scan_error(
                self.env._(
                    "%(serial)s is not a known unit of %(product)s: check the label, or receive the "
                    "unit first.",
                    serial=serial,
                    product=product.display_name,
                ),
            )
        if self.move_line_ids.filtered(lambda line: line.lot_id == lot and line.picked):
            return self._storq_scan_error(
                self.env._(
                    "%(serial)s was already scanned on %(transfer)s: each unit is scanned once.",
                    serial=serial,
                    transfer=self.display_name,
                ),
            )
        quants = (
            self.env["stock.quant"]
            .sudo()
            .search_fetch(
                [("lot_id", "=", lot.id), ("location_id.usage", "in", STOCK_USAGES), ("quantity", ">", 0)],
                ["location_id"],
            )
        )
        here = quants.filtered(lambda quant: quant.location_id._child_of(self.location_id))[:1]
        if not here:
            where = (
                self.env._("in %(locations)s", locations=", ".join(quants.location_id.mapped("display_name")))
                if quants
                else self.env._("not in stock")
            )
            return self._storq_scan_error(
                self.env._(
                    "%(serial)s is not in %(location)s: the unit is %(where)s. Scan units from the "
                    "transfer's source location only.",
                    serial=serial,
                    location=self.location_id.display_name,
                    where=where,
                ),
            )
        reserved_elsewhere = self.env["stock.move.line"].search(
            [
                ("lot_id", "=", lot.id),
                ("state", "not in", ("done", "cancel")),
                ("picking_id", "!=", self.id),
                ("quantity", ">", 0),
            ],
            limit=1,
        )
        if reserved_elsewhere:
            return self._storq_scan_error(
                self.env._(
                    "%(serial)s is reserved for %(transfer)s: unreserve it there first.",
                    serial=serial,
                    transfer=reserved_elsewhere.reference or reserved_elsewhere.move_id.display_name,
                ),
            )
        self._storq_confirm_for_scan()
        moves = self._storq_scan_moves(product)
        # The line that already reserves this unit, else one not scanned yet (it gives up its unit).
        line = (
            moves.move_line_ids.filtered(lambda ml: ml.lot_id == lot)[:1]
            or moves.move_line_ids.filtered(lambda ml: not ml.picked).sorted(lambda ml: bool(ml.lot_id))[:1]
        )
        vals = {"lot_id": lot.id, "location_id": here.location_id.id, "quantity": 1, "picked": True}
        self._storq_scan_write_line(line.move_id or moves[:1], line, vals)
        return self._storq_scan_ok(
            product,
            serial,
            self.env._(
                "%(serial)s moved from %(location)s (%(product)s).",
                serial=serial,
                location=here.location_id.display_name,
                product=product.display_name,
            ),
        )

    def _storq_confirm_for_scan(self):
        if self.state == "draft":
            self.action_confirm()

    def _storq_scan_write_line(self, move, line, vals):
        """Update `line` with `vals`, or add a line to `move` when there is none to reuse."""
        if line:
            line.write(vals)
        else:
            self.env["stock.move.line"].create(dict(move._prepare_move_line_vals(), **vals))

    def _storq_scan_ok(self, product, serial, message):
        return self._storq_scan_answer("ok", message, product, serial)

    def _storq_scan_answer(self, status, message, product, serial=False):
        moves = self._storq_scan_moves(product)
        scanned = moves.move_line_ids.filtered(lambda line: line.picked and (line.lot_id or line.lot_name))
        return {
            "status": status,
            "message": message,
            "product_id": product.id,
            "product_name": product.display_name,
            "serial": serial,
            "scanned": len(scanned),
            "expected": sum(moves.mapped("product_uom_qty")),
        }

    def _storq_scan_error(self, message):
        return {
            "status": "error",
            "message": message,
            "product_id": False,
            "product_name": False,
            "serial": False,
            "scanned": 0,
            "expected": 0,
        }
