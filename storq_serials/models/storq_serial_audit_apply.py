from collections import defaultdict

from odoo import Command
from odoo import fields
from odoo import models

# Unit states an inventory count may bring back into stock (the rulebook allows it).
RECOUNTED_STATES = ("written_off", "missing")


class StorqSerialAudit(models.Model):
    """Applying an audit: a serial manager confirms, the units follow through Odoo's stock
    engine (so the rulebook judges every move, and the unit records and history follow)."""

    _inherit = "storq.serial.audit"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_apply(self):
        """Move units found elsewhere to where they were found (internal transfers, or an
        inventory adjustment for units written off or missing), adjust missing units out to
        the inventory loss location ("missing" status), log an "audited" event on the units
        found where expected. Serial managers only."""
        self._storq_check_manager()
        for audit in self:
            audit._storq_check_state("to_review")
            audit.check_access("write")
            audit._storq_apply()
        return True

    # ------------------------------------------------------------------
    # Business methods: applying
    # ------------------------------------------------------------------
    def _storq_apply(self):
        self.ensure_one()
        lines = self.line_ids.sudo()
        lines.lot_id.fetch(["storq_state", "storq_location_id", "product_id"])
        # Units move on the unit record as it is now: it may have changed since the scan.
        to_move, to_count, missing, audited = defaultdict(list), defaultdict(list), [], []
        left = []  # found elsewhere, but out of reach of a move (delivered, at the vendor...)
        for line in lines:
            unit = line.lot_id
            if not unit:
                continue
            held = line.result == "blocked" and line.found_location_id.storq_quarantine
            if held and unit.storq_state == "in_stock" and unit.storq_location_id != line.found_location_id:
                # A recalled unit found in quarantine is recorded there, expected or not.
                to_move[(unit.storq_location_id, line.found_location_id)].append(line)
            elif line.result in ("present", "blocked") and line.expected:
                audited.append(line)
            elif line.result == "missing" and unit.storq_state == "in_stock":
                missing.append(line)
            elif line.result in ("unexpected", "blocked"):
                here = line.found_location_id
                if unit.storq_state == "in_stock" and unit.storq_location_id != here:
                    to_move[(unit.storq_location_id, here)].append(line)
                elif unit.storq_state in RECOUNTED_STATES:
                    to_count[here].append(line)
                elif unit.storq_state != "in_stock":
                    left.append(line)
        # Before the moves: a unit's latest event stays the move that recorded it where found.
        self._storq_apply_recalled(lines.filtered(lambda line: line.result == "blocked"))
        stock = self.with_context(storq_audit_apply=True, inventory_name=self.name).sudo()
        pickings = self.env["stock.picking"]
        for (source, destination), moved in to_move.items():
            pickings |= stock._storq_apply_transfer(source, destination, moved)
        if to_count:
            stock._storq_apply_count(to_count)
        if missing:
            stock._storq_apply_missing(missing)
        done = [
            line.id for group in (*to_move.values(), *to_count.values(), missing, audited) for line in group
        ]
        lines.browse(done).write({"applied": True})
        if audited:
            lines.browse([line.id for line in audited]).lot_id._storq_log_events(
                "audited", self.env._("Found where expected by %(audit)s", audit=self.name), self
            )
        self.write(
            {
                "state": "applied",
                "date_applied": fields.Datetime.now(),
                "applied_by_id": self.env.uid,
                "picking_ids": [Command.link(picking.id) for picking in pickings],
            }
        )
        self.message_post(
            body=self.env._(
                "Applied: %(moved)s units moved to where they were found, %(counted)s counted back "
                "into stock, %(missing)s adjusted out as missing.",
                moved=sum(len(group) for group in to_move.values()),
                counted=sum(len(group) for group in to_count.values()),
                missing=len(missing),
            )
        )
        if left:
            # A delivered unit comes back through a customer return, never by a count.
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.user_id.id or self.env.uid,
                summary=self.env._("Units found that no move can take"),
                note=self.env["storq.serial.input"]._capped_lines(
                    (line.lot_id._storq_situation() for line in left), separator="<br/>"
                ),
            )

    def _storq_internal_type(self, location):
        """The warehouse's internal transfer type (archived while multi-step locations are off:
        the audit's transfer needs it all the same)."""
        Type = self.env["stock.picking.type"].with_context(active_test=False)
        domain = [("code", "=", "internal"), ("company_id", "=", self.company_id.id)]
        warehouse = location.warehouse_id
        if warehouse:
            domain.append(("warehouse_id", "=", warehouse.id))
        return Type.search(domain, order="active desc, sequence, id", limit=1)

    def _storq_apply_transfer(self, source, destination, lines):
        """One internal transfer of the units `lines` found at `destination`, validated."""
        by_product = defaultdict(list)
        for line in lines:
            by_product[line.lot_id.product_id].append(line.lot_id)
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self._storq_internal_type(destination).id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "origin": self.name,
                "company_id": self.company_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.name,
                            "product_id": product.id,
                            "product_uom_qty": len(units),
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            "company_id": self.company_id.id,
                        }
                    )
                    for product, units in by_product.items()
                ],
            }
        )
        picking.action_confirm()
        # The units found, not the ones Odoo would reserve.
        picking.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": move.product_id.id,
                    "lot_id": unit.id,
                    "quantity": 1,
                    "picked": True,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                }
                for move in picking.move_ids
                for unit in by_product[move.product_id]
            ]
        )
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        return picking

    def _storq_apply_count(self, to_count):
        """Count units written off or missing back into stock where they were found."""
        quants = self.env["stock.quant"].with_context(inventory_mode=True)
        vals = [
            {
                "product_id": line.lot_id.product_id.id,
                "location_id": location.id,
                "lot_id": line.lot_id.id,
                "inventory_quantity": 1,
            }
            for location, lines in to_count.items()
            for line in lines
        ]
        quants.create(vals)._apply_inventory()

    def _storq_apply_missing(self, lines):
        """Adjust the missing units out of their recorded locations: inventory moves to the
        inventory loss location, which record them as "missing"."""
        units = self.env["stock.lot"].concat(*(line.lot_id for line in lines))
        quants = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .search(
                [
                    ("lot_id", "in", units.ids),
                    ("location_id", "in", units.storq_location_id.ids),
                    ("quantity", ">", 0),
                ]
            )
        )
        quants.write({"inventory_quantity": 0, "inventory_quantity_set": True})
        quants._apply_inventory()

    def _storq_apply_recalled(self, lines):
        """Blocked (recalled) units found: each gets an event saying where it was found. A unit
        found in a quarantine location is held there: its open recall lines advance to
        "quarantined" (as a move into quarantine does). Elsewhere no recall state means "found
        and held" (the unit is blocked already), so the lines stay where they are."""
        if not lines:
            return
        for location, found in lines.grouped("found_location_id").items():
            units = found.lot_id
            units._storq_log_events(
                "audited",
                self.env._(
                    "Blocked unit found at %(location)s by %(audit)s",
                    location=location.display_name,
                    audit=self.name,
                ),
                self,
            )
            if location.storq_quarantine:
                self.env["storq.recall.line"]._storq_advance(units, "quarantined", self)
