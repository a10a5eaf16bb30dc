from odoo import api
from odoo import fields
from odoo import models

from .stock_lot_unit import UNIT_FIELDS

# At most this many audits are listed on the scanning screen's first page.
AUDITS_LIMIT = 50


class StorqSerialAudit(models.Model):
    """Scans of an audit: one RPC per scan, each classified and kept as a line."""

    _inherit = "storq.serial.audit"

    # ------------------------------------------------------------------
    # Business methods: scanning
    # ------------------------------------------------------------------
    def storq_audit_scan(self, barcode=None, location_id=False):
        """Classify one scan (a plain serial or a GS1 code with GTIN and serial) and keep it.

        `location_id` is where the unit was found (the audit's location or one of its
        children; default the audit's location). Returns what the scanning screen shows:
        ``{"status": result or "error", "message", "serial", "product_name", "line_id",
        "counts": {...}}``. A constant number of queries whatever the size of the audit.
        """
        checks = self.env["storq.serial.input"]
        checks._check_one(self)
        barcode = checks._check_text(barcode, "barcode").strip()
        location_id = checks._check_id(location_id, "location_id")
        self.check_access("write")
        if self.state != "in_progress":
            return self._storq_audit_answer(
                "error",
                self.env._(
                    "%(audit)s does not take scans: start it first, or open an audit in progress.",
                    audit=self.name,
                ),
            )
        if not barcode:
            return self._storq_audit_answer("error", self.env._("Nothing was scanned: scan a serial."))
        location = self.location_id
        if location_id and location_id != location.id:
            location = self.env["stock.location"].browse(location_id).exists()
            if not location or not location._child_of(self.location_id):
                return self._storq_audit_answer(
                    "error",
                    self.env._(
                        "That location is not in %(location)s, the scope of %(audit)s: scan a location "
                        "of the audit.",
                        location=self.location_id.display_name,
                        audit=self.name,
                    ),
                )
        product, serial, gtin = self._storq_audit_parse(barcode)
        if gtin and not product:
            return self._storq_audit_answer(
                "error",
                self.env._(
                    "No product has the GTIN %(gtin)s: add it as the product's barcode, or scan the "
                    "unit's serial alone.",
                    gtin=gtin,
                ),
            )
        if product and not serial:
            return self._storq_audit_answer(
                "error",
                self.env._(
                    "%(barcode)s is the barcode of %(product)s, not a unit: scan the unit's serial.",
                    barcode=barcode,
                    product=product.display_name,
                ),
            )
        unit, serial = self._storq_audit_find_unit(product, serial or barcode)
        vals = self._storq_audit_classify(unit, product, serial, location)
        line = self._storq_audit_keep(vals)
        return self._storq_audit_answer(vals["result"], vals["message"], line, vals.get("product_id"))

    def storq_audit_undo(self):
        """Undo the last scan of this audit by the current user (the screen's undo): an expected
        unit's line goes back to not scanned, another scan's line is removed."""
        self.env["storq.serial.input"]._check_one(self)
        self.check_access("write")
        if self.state != "in_progress":
            return self._storq_audit_answer(
                "error", self.env._("%(audit)s is not in progress: its scans are kept.", audit=self.name)
            )
        Line = self.env["storq.serial.audit.line"].sudo()
        line = Line.search(
            [("audit_id", "=", self.id), ("user_id", "=", self.env.uid), ("scan_date", "!=", False)],
            order="scan_date desc, id desc",
            limit=1,
        )
        if not line:
            return self._storq_audit_answer("error", self.env._("You have no scan to undo in this audit."))
        message = self.env._("Scan of %(serial)s undone.", serial=line.serial)
        if line.expected and line.result != "duplicate":
            line.write(
                {
                    "result": "pending",
                    "found_location_id": False,
                    "scan_date": False,
                    "user_id": False,
                    "message": False,
                }
            )
        else:
            line.unlink()
        self.write({"last_scan_status": "undone", "last_scan_message": message})
        return self._storq_audit_answer("undone", message)

    def storq_audit_info(self, limit=20):
        """What the scanning screen shows when it opens an audit: its scope, status, counts and
        the last scans (the expected list stays hidden in blind mode)."""
        checks = self.env["storq.serial.input"]
        checks._check_one(self)
        limit = checks._check_count(limit, "limit", maximum=200)
        self.check_access("read")
        scans = (
            self.env["storq.serial.audit.line"]
            .sudo()
            .search_fetch(
                [("audit_id", "=", self.id), ("scan_date", "!=", False)],
                ["serial", "result", "message", "product_id"],
                order="scan_date desc, id desc",
                limit=limit,
            )
        )
        answer = self._storq_audit_answer(self.state, self.last_scan_message or "")
        answer.update(
            id=self.id,
            name=self.name,
            location=self.location_id.display_name,
            product=self.product_id.display_name or False,
            blind=self.blind and not self.show_expected,
            recall=self.recall_id.name or False,
            # Location barcodes of the scope: the screen sets where units are found without a
            # round trip, and sends it with each scan.
            locations=self._storq_audit_location_barcodes(),
            last_scans=[
                {"serial": line.serial, "result": line.result, "message": line.message} for line in scans
            ],
        )
        return answer

    @api.model
    def storq_scan_screen_audits(self):
        """The audits the scanning screen lists (in progress, and drafts it may start), newest
        first: ``[{"id", "name", "state", "location", "product", "recall"}]``. A constant
        number of queries."""
        audits = self.search_fetch(
            [("state", "in", ("draft", "in_progress"))],
            ["name", "state", "location_id", "product_id", "recall_id"],
            limit=AUDITS_LIMIT,
        )
        audits.location_id.fetch(["complete_name"])
        audits.product_id.fetch(["display_name"])
        return [
            {
                "id": audit.id,
                "name": audit.name,
                "state": audit.state,
                "location": audit.location_id.display_name,
                "product": audit.product_id.display_name or "",
                "recall": audit.recall_id.name or "",
            }
            for audit in audits
        ]

    def _storq_audit_location_barcodes(self):
        locations = self.env["stock.location"].search_fetch(
            [("barcode", "!=", False), ("id", "child_of", self.location_id.id)], ["barcode", "complete_name"]
        )
        return {location.barcode: [location.id, location.complete_name] for location in locations}

    def action_scan(self, serial):
        """`storq_audit_scan` under the name the issue gives it."""
        return self.storq_audit_scan(serial)

    def _storq_audit_parse(self, barcode):
        """(product, serial, GTIN) of a scan, read as transfers read them (the company's
        barcode nomenclature, GS1 codes)."""
        reader = self.env["stock.picking"].new({"company_id": self.company_id.id})
        return reader._storq_parse_scan(barcode)

    def _storq_audit_find_unit(self, product, serial):
        """(the unit scanned or an empty recordset, the serial as the product's format writes it),
        in 1 query: the unit of `product` (from a GS1 code) or of the audit's product first."""
        product = product or self.product_id
        names = {serial}
        if product:
            serial = self.env["storq.serial.validation"]._normalize(product, serial)
            names.add(serial)
        units = (
            self.env["stock.lot"]
            .sudo()
            .search_fetch(
                [("name", "in", list(names)), ("company_id", "in", [False, self.company_id.id])],
                UNIT_FIELDS,
            )
        )
        if product:
            own = units.filtered(lambda unit: unit.product_id == product)
            if own or self.product_id != product:
                # A GS1 code names its product: a unit of another product is not the one scanned.
                return own[:1], serial
        return units[:1], units[:1].name or serial

    def _storq_audit_classify(self, unit, product, serial, location):
        """The line values of one scan: result, message, where found (no write)."""
        vals = {
            "serial": serial,
            "product_id": (unit.product_id or product or self.product_id).id,
            "lot_id": unit.id,
            "found_location_id": location.id,
            "scan_date": fields.Datetime.now(),
            "user_id": self.env.uid,
            "expected": False,
        }
        Line = self.env["storq.serial.audit.line"].sudo()
        if not unit:
            seen = Line.search_count(
                [("audit_id", "=", self.id), ("serial", "=", serial), ("lot_id", "=", False)], limit=1
            )
            vals["result"] = "duplicate" if seen else "unknown"
            vals["message"] = (
                self.env._(
                    "%(serial)s was scanned already in this audit: count each unit once.", serial=serial
                )
                if seen
                else self._storq_audit_unknown_message(product or self.product_id, serial)
            )
            return vals
        kept = Line.search_fetch(
            [("audit_id", "=", self.id), ("lot_id", "=", unit.id), ("result", "!=", "duplicate")],
            ["result", "scan_date"],
            limit=1,
        )
        if kept and kept.result != "pending":
            vals.update(
                result="duplicate",
                message=self.env._(
                    "%(serial)s was scanned already in this audit: count each unit once.", serial=unit.name
                ),
            )
            return vals
        if self.product_id and unit.product_id != self.product_id:
            vals.update(
                result="wrong_product",
                message=self.env._(
                    "%(serial)s is a unit of %(other)s; this audit counts %(product)s: set it aside.",
                    serial=unit.name,
                    other=unit.product_id.display_name,
                    product=self.product_id.display_name,
                ),
            )
            return vals
        company = unit.storq_location_id.company_id
        if company and company != self.company_id:
            # A unit shared between companies but held by another one: not ours to count.
            vals.update(
                result="unknown",
                message=self.env._(
                    "%(serial)s is a unit of another company: set it aside.", serial=unit.name
                ),
            )
            return vals
        vals["expected"] = bool(kept)
        vals["expected_location_id"] = unit.storq_location_id.id
        if unit.storq_blocked:
            vals.update(
                result="blocked",
                message=self.env._(
                    "%(serial)s is blocked (%(reason)s): set it aside for its recall or quarantine.",
                    serial=unit.name,
                    reason=unit.storq_block_reason or "-",
                ),
            )
        elif kept or (unit.storq_state == "in_stock" and unit.storq_location_id._child_of(self.location_id)):
            # Expected, or recorded in the scope though not in the sample: where it should be.
            vals.update(
                result="present",
                message=self.env._(
                    "%(serial)s is present (%(product)s).",
                    serial=unit.name,
                    product=unit.product_id.display_name,
                ),
            )
        else:
            vals.update(
                result="unexpected",
                message=self.env._(
                    "%(situation)s, not in %(location)s: it will be recorded here when the audit is "
                    "applied.",
                    situation=unit._storq_situation(),
                    location=location.display_name,
                ),
            )
        vals["line"] = kept
        return vals

    def _storq_audit_unknown_message(self, product, serial):
        """Why a serial is no known unit: the format rule's refusal, or never seen."""
        if product and product.storq_serial_control:
            verdict = self.env["storq.serial.validation"]._check_serials(
                [(product, serial, self.company_id)], check_existing=False
            )[0]
            if verdict.error:
                return verdict.error
        return self.env._(
            "%(serial)s is not a known unit: check the label, or receive the unit first; set it aside.",
            serial=serial,
        )

    def _storq_audit_keep(self, vals):
        """Write the scan: on the expected unit's line, else as a new line (1 statement)."""
        line = vals.pop("line", None)
        vals = dict(vals, audit_id=self.id)
        if line:
            vals.pop("expected")
            line.write(vals)
        else:
            line = self.env["storq.serial.audit.line"].sudo().create(vals)
        self.write({"last_scan_status": vals["result"], "last_scan_message": vals["message"]})
        return line

    def _storq_audit_answer(self, status, message, line=None, product_id=False):
        counts = self._storq_counts()[self.id]
        if not self.show_expected:
            # Blind count: how many are expected, and so how many are still missing, stays hidden.
            counts = {
                key: value for key, value in counts.items() if key not in ("expected", "pending", "missing")
            }
        return {
            "status": status,
            "message": message,
            "serial": line.serial if line else False,
            "product_name": line.product_id.display_name if line else False,
            "line_id": line.id if line else False,
            "counts": counts,
        }
