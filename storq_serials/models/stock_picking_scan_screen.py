from odoo import api
from odoo import models

from ..tools.errors import SerialValidationError
from .stock_picking import SCAN_PICKING_TYPES
from .stock_picking import STOCK_USAGES

# Printed command barcodes of the scanning screen (Code 128), and the command each one runs.
SCAN_COMMANDS = {
    "O-CMD.UNDO": "undo",
    "O-BTN.validate": "validate",
    "O-CMD.cancel": "cancel",
}
OPEN_STATES = ("draft", "confirmed", "waiting", "assigned")
# At most this many open transfers are listed on the screen's first page (the newest first).
OPERATIONS_LIMIT = 200
# A placeholder the browser replaces with the serial in the server's sentences.
SERIAL_SLOT = "\x00serial\x00"


class StockPicking(models.Model):
    """The scanning screen (client action `storq_scan_screen`): what it loads, and the scans,
    commands and undo it sends. Every refusal is `storq_scan`'s sentence (one rulebook)."""

    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Business methods: choosing an operation
    # ------------------------------------------------------------------
    @api.model
    def storq_scan_screen_operations(self):
        """Open transfers with serial-controlled products that take scans, grouped by operation
        type: ``[{"id", "name", "code", "pickings": [{"id", "name", "partner", "origin",
        "scheduled_date", "state"}]}]``. A constant number of queries."""
        pickings = self.search_fetch(
            self._storq_scan_screen_domain(),
            ["name", "partner_id", "origin", "scheduled_date", "state", "picking_type_id"],
            order="scheduled_date, id",
            limit=OPERATIONS_LIMIT,
        )
        pickings.picking_type_id.fetch(["name", "code", "warehouse_id", "sequence"])
        pickings.partner_id.fetch(["name"])
        groups = {}
        for picking in pickings:
            kind = picking.picking_type_id
            group = groups.setdefault(
                kind.id,
                {"id": kind.id, "name": kind.display_name, "code": kind.code, "pickings": []},
            )
            group["pickings"].append(
                {
                    "id": picking.id,
                    "name": picking.name,
                    "partner": picking.partner_id.name or "",
                    "origin": picking.origin or "",
                    "scheduled_date": picking.scheduled_date,
                    "state": picking.state,
                }
            )
        return list(groups.values())

    @api.model
    def storq_scan_screen_find(self, reference=None):
        """The open transfer whose reference is `reference` (a scan of the printed transfer):
        ``{"picking_id"}`` or ``{"error"}``."""
        reference = self.env["storq.serial.input"]._check_text(reference, "reference").strip()
        picking = self.search([("name", "=ilike", reference), *self._storq_scan_screen_domain()], limit=1)
        if picking:
            return {"picking_id": picking.id}
        return {
            "error": self.env._(
                "%(reference)s is not an open transfer with serial-controlled products: scan the "
                "reference printed on the transfer, or choose it in the list.",
                reference=reference,
            )
        }

    @api.model
    def _storq_scan_screen_domain(self):
        return [
            ("state", "in", OPEN_STATES),
            ("picking_type_code", "in", SCAN_PICKING_TYPES),
            ("move_ids.product_id.tracking", "=", "serial"),
        ]

    # ------------------------------------------------------------------
    # Business methods: loading a transfer
    # ------------------------------------------------------------------
    def storq_scan_screen_load(self):
        """What the screen shows and checks in the browser for this transfer, in a constant
        number of queries whatever its size:

        ``{"picking": {...}, "products": [{"id", "name", "barcode", "expected", "done",
        "serials", "rule"}], "barcodes": {code: kind}, "commands": {code: command},
        "messages": {...}}``. ``rule`` holds only what the browser can check exactly as the
        server does (length, allowed characters, prefix, upper-casing) with the server's
        sentences, ``serial`` left as a slot; False when the server must check everything
        (label prefixes to strip, or no rule)."""
        checks = self.env["storq.serial.input"]
        checks._check_one(self)
        self.check_access("read")
        moves = self.env["stock.move"].search_fetch(
            [("picking_id", "=", self.id), ("state", "!=", "cancel")],
            ["product_id", "product_uom_qty", "state"],
        )
        lines = self.env["stock.move.line"].search_fetch(
            [("picking_id", "=", self.id), ("picked", "=", True)],
            ["product_id", "lot_id", "lot_name"],
        )
        lines.lot_id.fetch(["name"])
        products = moves.product_id
        products.fetch(["barcode", "product_tmpl_id", "display_name", "tracking"])
        templates = products.product_tmpl_id
        templates.fetch(["storq_serial_format_id", "categ_id", "storq_serial_control"])
        templates.categ_id.fetch(["storq_serial_format_id"])
        locations = self.env["stock.location"].search_fetch(
            [
                ("barcode", "!=", False),
                ("id", "child_of", (self.location_id | self.location_dest_id).ids),
            ],
            ["barcode"],
        )
        data = []
        for product in products:
            product_moves = moves.filtered(lambda move, product=product: move.product_id == product)
            serials = [
                line.lot_id.name or line.lot_name
                for line in lines
                if line.product_id == product and (line.lot_id or line.lot_name)
            ]
            data.append(
                {
                    "id": product.id,
                    "name": product.display_name,
                    "barcode": product.barcode or "",
                    "tracking": product.tracking,
                    "expected": sum(product_moves.mapped("product_uom_qty")),
                    "done": len(serials),
                    "serials": serials,
                    "rule": self._storq_scan_screen_rule(product),
                }
            )
        return {
            "picking": {
                "id": self.id,
                "name": self.name,
                "state": self.state,
                "picking_type_id": self.picking_type_id.id,
                "type_name": self.picking_type_id.display_name,
                "code": self.picking_type_code,
                "partner": self.partner_id.name or "",
                "origin": self.origin or "",
                "location": self.location_id.display_name,
                "location_dest": self.location_dest_id.display_name,
                "takes": self.location_id.usage in STOCK_USAGES,
                "scannable": self.state not in ("done", "cancel")
                and self.picking_type_code in SCAN_PICKING_TYPES,
            },
            "products": data,
            # Codes the browser must leave to the server (not serials)
            "barcodes": {
                **{location.barcode: "location" for location in locations},
                **{product.barcode: "product" for product in products if product.barcode},
            },
            "gs1": bool(self.company_id.nomenclature_id.is_gs1_nomenclature),
            "commands": dict(SCAN_COMMANDS),
            "messages": {"twice": self._storq_scanned_twice_message(SERIAL_SLOT)},
        }

    def _storq_scan_screen_rule(self, product):
        """The browser's part of `product`'s format rule, or False (see storq_scan_screen_load)."""
        if product.tracking != "serial" or not product.storq_serial_control:
            return False
        rule, _label = self.env["storq.serial.validation"]._get_rule(product)
        # Label prefixes to strip (or an unusable rule): only the server normalises those.
        if getattr(rule, "strip_prefixes", True):
            return False
        validation = self.env["storq.serial.validation"]
        allowed = rule._allowed

        def sentence(code, **params):
            return validation._error_message(
                SerialValidationError(code, **params), serial=SERIAL_SLOT, rule_name=rule.name or None
            )

        return {
            "min_length": rule.min_length,
            "max_length": rule.max_length,
            "prefix": rule.prefix,
            "uppercase": rule.uppercase,
            # None: any printable character (the server checks those)
            "allowed": "".join(sorted(allowed)) if allowed is not None else None,
            "messages": {
                "too_short": sentence("too_short", length="\x00length\x00", min_length=rule.min_length),
                "too_long": sentence("too_long", length="\x00length\x00", max_length=rule.max_length),
                "prefix": sentence("prefix", prefix=rule.prefix),
                "charset": sentence("charset", chars="\x00chars\x00", charset=rule.charset),
            },
        }

    # ------------------------------------------------------------------
    # Business methods: scans, commands, undo, validation
    # ------------------------------------------------------------------
    def storq_scan_screen_scan(self, barcode=None, context_product_id=False, location_dest_id=False):
        """One scan on the screen: a printed command, a location, or what `storq_scan` takes.

        A location under the transfer's destination makes it the destination of the units
        scanned next (`location_dest_id`, sent back by the screen). Returns `storq_scan`'s
        answer, with ``"command"`` and ``"action"`` for commands and ``"location_id"`` for
        locations."""
        checks = self.env["storq.serial.input"]
        checks._check_one(self)
        barcode = checks._check_text(barcode, "barcode").strip()
        location_dest_id = checks._check_id(location_dest_id, "location_dest_id")
        command = SCAN_COMMANDS.get(barcode)
        if command:
            return self._storq_scan_screen_command(command)
        location = self.env["stock.location"].search(
            [("barcode", "=", barcode), ("company_id", "in", [False, self.company_id.id])], limit=1
        )
        if location and barcode:
            return self._storq_scan_screen_location(location)
        answer = self.storq_scan(barcode, context_product_id=context_product_id)
        if answer["status"] == "ok" and location_dest_id:
            destination = self.env["stock.location"].browse(location_dest_id)
            if destination._child_of(self.location_dest_id):
                self._storq_scan_screen_line(
                    answer["product_id"], answer["serial"]
                ).location_dest_id = destination
        return answer

    def _storq_scan_screen_command(self, command):
        if command == "undo":
            return dict(self.storq_scan_undo(), command="undo")
        if command == "validate":
            action = self.storq_scan_screen_validate()
            return {
                "status": "command",
                "command": "validate",
                "action": action,
                "message": self.env._("%(transfer)s: validating.", transfer=self.display_name),
            }
        return {
            "status": "command",
            "command": "cancel",
            "message": self.env._(
                "%(transfer)s left as it is: the units scanned stay on it.", transfer=self.display_name
            ),
        }

    def _storq_scan_screen_location(self, location):
        if self.location_id.usage in STOCK_USAGES and location._child_of(self.location_id):
            message = self.env._(
                "%(location)s: scan the units you take there; each is taken from where it is.",
                location=location.display_name,
            )
            return dict(self._storq_scan_answer_base("location", message), location_id=False)
        if not location._child_of(self.location_dest_id):
            return self._storq_scan_error(
                self.env._(
                    "%(location)s is not a place %(transfer)s puts units in: scan a location under "
                    "%(destination)s.",
                    location=location.display_name,
                    transfer=self.display_name,
                    destination=self.location_dest_id.display_name,
                )
            )
        message = self.env._("The units scanned next go to %(location)s.", location=location.display_name)
        return dict(self._storq_scan_answer_base("location", message), location_id=location.id)

    def _storq_scan_answer_base(self, status, message):
        return dict(self._storq_scan_error(message), status=status)

    def _storq_scan_screen_line(self, product_id, serial, last=False):
        """The picked line of this transfer holding `serial` of `product_id` (with `last` and no
        serial: the line scanned last)."""
        domain = [
            ("picking_id", "=", self.id),
            ("picked", "=", True),
            ("state", "not in", ("done", "cancel")),
        ]
        if serial:
            domain += [
                ("product_id", "=", product_id),
                "|",
                ("lot_name", "=", serial),
                ("lot_id.name", "=", serial),
            ]
        else:
            domain += ["|", ("lot_name", "!=", False), ("lot_id", "!=", False)]
        return self.env["stock.move.line"].search(domain, order="write_date desc, id desc", limit=1)

    def storq_scan_undo(self, serial=None, product_id=False):
        """Remove the line of the unit `serial` of `product_id` scanned on this transfer (without
        a serial: the line scanned last). The unit stays where it is; a reserved one is released.
        Returns `storq_scan`'s answer with status "undone", or a refusal."""
        checks = self.env["storq.serial.input"]
        checks._check_one(self)
        serial = checks._check_text(serial, "serial").strip()
        product_id = checks._check_id(product_id, "product_id")
        self.check_access("write")
        if self.state in ("done", "cancel"):
            return self._storq_scan_error(
                self.env._(
                    "%(transfer)s is %(state)s: its scans can no longer be undone.",
                    transfer=self.display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )
        line = self._storq_scan_screen_line(product_id, serial)
        if not line:
            return self._storq_scan_error(
                self.env._(
                    "%(serial)s is not scanned on %(transfer)s: nothing to undo.",
                    serial=serial or self.env._("No unit"),
                    transfer=self.display_name,
                )
            )
        product, serial = line.product_id, line.lot_id.name or line.lot_name
        line.unlink()
        return self._storq_scan_answer(
            "undone",
            self.env._("%(serial)s removed from %(transfer)s.", serial=serial, transfer=self.display_name),
            product,
            serial,
        )

    def storq_scan_screen_validate(self):
        """Validate as the transfer's Validate button does: True when done, else the action of
        the wizard Odoo asks (backorder, immediate transfer...), for the screen to open."""
        self.env["storq.serial.input"]._check_one(self)
        self.check_access("write")
        result = self.button_validate()
        return result if isinstance(result, dict) else True

    # ------------------------------------------------------------------
    # Business methods: units Odoo put on the transfer already
    # ------------------------------------------------------------------
    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_scan_screen(self):
        """The scanning screen, on this transfer."""
        self.env["storq.serial.input"]._check_one(self)
        action = self.env["ir.actions.actions"]._for_xml_id("storq_serials.storq_scan_screen_action")
        action["params"] = {"picking_id": self.id}
        return action
