from odoo import models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..tools.limits import HARD_MAX_LENGTH
from ..tools.limits import MAX_BULK_BYTES
from ..tools.limits import MAX_BULK_SERIALS
from ..tools.limits import shorten
from ..tools.limits import text_size
from ..tools.local_days import day_bounds_utc
from ..tools.normalize import strip_scanner_noise
from ..tools.serial_order import upper_ascii

KEY_FIELDS = ["storq_serial_prefix", "storq_serial_suffix", "storq_serial_width", "storq_serial_digits"]
# How many bad lines of a serial list are named.
ERRORS_SHOWN = 50

# The situation of a unit, from its record and its open reservations (alias "stock_lot", the
# units query's table); the open move lines are found through
# `stock_move_line_storq_open_lot_index`. %s: the ids of the transit locations.
SITUATION_SQL = """
    CASE
        WHEN stock_lot.storq_state = 'in_stock' AND EXISTS (
            SELECT 1 FROM stock_move_line sml
             WHERE sml.lot_id = stock_lot.id AND (sml.state IS NULL OR sml.state NOT IN ('done', 'cancel'))
               AND sml.picking_id IS NOT NULL
        ) THEN 'reserved'
        WHEN stock_lot.storq_state = 'in_stock' AND stock_lot.storq_location_id = ANY(%s) THEN 'in_transit'
        WHEN stock_lot.storq_state = 'in_stock' THEN 'in_stock'
        WHEN stock_lot.storq_state = 'delivered' THEN 'at_customer'
        WHEN stock_lot.storq_state = 'in_repair' THEN 'in_repair'
        WHEN stock_lot.storq_state IN ('scrapped', 'written_off') THEN 'scrapped'
        WHEN stock_lot.storq_state = 'returned_to_vendor' THEN 'returned_to_vendor'
        ELSE 'unknown'
    END
"""


class StorqRecall(models.Model):
    """Which units a recall affects: the domain (`_get_units_domain`), run as one query."""

    _inherit = "storq.recall"

    # ------------------------------------------------------------------
    # Business methods: selection
    # ------------------------------------------------------------------
    def _storq_check_draft(self):
        for recall in self:
            if recall.state != "draft":
                raise UserError(
                    self.env._(
                        "%(recall)s is already confirmed: its units are fixed. Create a new recall "
                        "for further units.",
                        recall=recall.name,
                    )
                )

    def _get_units_domain(self):
        """The affected units: all criteria given, combined with AND. Override point."""
        self.ensure_one()
        serials, _errors = self._storq_parse_serial_list()
        if not (self.product_ids or self.range_ids or serials):
            raise UserError(
                self.env._(
                    "%(recall)s selects no units: give at least products, serial ranges or a "
                    "serial list, then refine with dates, supplier or situation.",
                    recall=self.name,
                )
            )
        domain = self._storq_company_domain()
        if self.product_ids:
            domain = expression.AND([domain, [("product_id", "in", self.product_ids.ids)]])
        if self.range_ids:
            domain = expression.AND([domain, self._storq_ranges_domain()])
        if serials:
            domain = expression.AND([domain, [("name", "in", sorted(serials))]])
        domain = expression.AND([domain, self._storq_origin_domain(), self._storq_situation_domain()])
        return domain

    def _storq_company_domain(self):
        """Units of the recall's company; units of products shared between companies belong to
        the company that delivered, received or holds them (as `_storq_unit_companies` reads),
        and are shared when nothing ties them to one."""
        company = self.company_id.id
        return [
            "|",
            ("company_id", "=", company),
            "&",
            ("company_id", "=", False),
            "|",
            "|",
            "|",
            ("storq_delivery_picking_id.company_id", "=", company),
            ("storq_receipt_picking_id.company_id", "=", company),
            ("storq_location_id.company_id", "=", company),
            # nothing ties it to a company (counted in, then gone): shared, as Odoo reads it
            "&",
            "&",
            ("storq_delivery_picking_id", "=", False),
            ("storq_receipt_picking_id", "=", False),
            ("storq_location_id", "=", False),
        ]

    def _storq_ranges_domain(self):
        """OR over the ranges' segments: each one an index range scan on the serial key."""
        leaves = []
        for rng in self.range_ids:
            for prefix, suffix, width, first, last in rng._storq_segments():
                # SQL values: the ORM reads '' as "empty or NULL", which the index cannot serve
                leaf = [
                    ("storq_serial_prefix", "=", SQL("%s", prefix)),
                    ("storq_serial_suffix", "=", SQL("%s", suffix)),
                    ("storq_serial_width", "=", width),
                    ("storq_serial_digits", ">=", first),
                    ("storq_serial_digits", "<=", last),
                ]
                if rng.product_id:
                    leaf.append(("product_id", "=", rng.product_id.id))
                leaves.append(leaf)
        return expression.OR(leaves)

    def _storq_origin_domain(self):
        domain = []
        if self.supplier_id:
            domain.append(("storq_supplier_id", "=", self.supplier_id.commercial_partner_id.id))
        if self.purchase_id:
            domain.append(("storq_purchase_id", "=", self.purchase_id.id))
        # Dates are the user's days: a unit delivered at 00:30 in Brussels is delivered that day.
        for name, date_from, date_to in (
            ("storq_received_date", self.receipt_date_from, self.receipt_date_to),
            ("storq_delivered_date", self.delivery_date_from, self.delivery_date_to),
        ):
            if not (date_from or date_to):
                continue
            start, end = day_bounds_utc(date_from, date_to, self.env.context.get("tz") or self.env.user.tz)
            if start:
                domain.append((name, ">=", start))
            if end:
                domain.append((name, "<", end))
        return domain

    def _storq_situation_domain(self):
        """Units in the ticked situations; all ticked: no condition (units never moved too)."""
        ticked = {
            "in_stock": self.include_in_stock,
            "delivered": self.include_delivered,
            "in_repair": self.include_in_repair,
            "returned_to_vendor": self.include_returned_to_vendor,
            "scrapped": self.include_scrapped,
            "written_off": self.include_scrapped,
        }
        if all(ticked.values()):
            return []
        return [("storq_state", "in", [state for state, keep in ticked.items() if keep])]

    def _storq_parse_serial_list(self):
        """(the serials of the pasted list, messages on the lines skipped), within the module's
        bulk input limits. Serials are matched as written and upper-cased."""
        text = self.serial_list or ""
        if not text.strip():
            return set(), []
        if text_size(text) > MAX_BULK_BYTES:
            raise UserError(
                self.env._(
                    "The serial list is larger than %(max)s bytes: split the recall file and "
                    "use serial ranges for long runs.",
                    max=MAX_BULK_BYTES,
                )
            )
        serials, errors = set(), []
        lines = text.splitlines()
        for number, line in enumerate(lines, start=1):
            serial = strip_scanner_noise(line.replace("\x00", "")) if line.strip() else ""
            if not serial:
                continue
            if len(serial) > HARD_MAX_LENGTH:
                errors.append(
                    self.env._(
                        "Line %(line)s: %(serial)s is longer than %(max)s characters.",
                        line=number,
                        serial=shorten(serial),
                        max=HARD_MAX_LENGTH,
                    )
                )
                continue
            serials.add(serial)
            serials.add(upper_ascii(serial))
        if len(serials) > 2 * MAX_BULK_SERIALS:
            raise UserError(
                self.env._(
                    "The serial list holds more than %(max)s serials: split the recall file, or "
                    "use serial ranges for long runs.",
                    max=MAX_BULK_SERIALS,
                )
            )
        return serials, errors[:ERRORS_SHOWN]

    def _storq_situation_sql(self):
        """`SITUATION_SQL` with the transit locations (1 query)."""
        transit = (
            self.env["stock.location"]
            .sudo()
            .with_context(active_test=False)
            .search([("usage", "=", "transit")])
        )
        return SQL(SITUATION_SQL, transit.ids)

    def _storq_units_query(self):
        """The affected units as one SQL query (the domain, run as one statement), with what
        `SITUATION_SQL` reads written to the database first."""
        for model, names in (
            ("stock.move", ["state"]),
            ("stock.move.line", ["lot_id", "state", "picking_id"]),
            ("stock.location", ["usage"]),
            (
                "stock.lot",
                [
                    "storq_state",
                    "storq_location_id",
                    "storq_partner_id",
                    "product_id",
                    "company_id",
                    *KEY_FIELDS,
                ],
            ),
        ):
            self.env[model].flush_model(names)
        return self.env["stock.lot"].sudo()._search(self._get_units_domain())
