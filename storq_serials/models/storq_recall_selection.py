import datetime
from collections import defaultdict

from markupsafe import Markup
from markupsafe import escape

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..tools.limits import HARD_MAX_LENGTH
from ..tools.limits import MAX_BULK_BYTES
from ..tools.limits import MAX_BULK_SERIALS
from ..tools.limits import shorten
from ..tools.limits import text_size
from ..tools.normalize import strip_scanner_noise
from ..tools.serial_order import segments_size
from ..tools.serial_order import serials_in_holes
from ..tools.serial_order import upper_ascii

KEY_FIELDS = ["storq_serial_prefix", "storq_serial_suffix", "storq_serial_width", "storq_serial_digits"]
# How many never-received serials and bad list lines the preview names.
GAPS_SHOWN = 50
# How many locations and customers the preview names per situation, before "N more".
PREVIEW_ROWS = 50

# The situation of a unit, from its record and its open reservations (alias "lot").
SITUATION_SQL = SQL(
    """
    CASE
        WHEN lot.storq_state = 'in_stock' AND EXISTS (
            SELECT 1 FROM stock_move_line sml
             WHERE sml.lot_id = lot.id AND sml.state NOT IN ('done', 'cancel')
               AND sml.picking_id IS NOT NULL
        ) THEN 'reserved'
        WHEN lot.storq_state = 'in_stock' AND loc.usage = 'transit' THEN 'in_transit'
        WHEN lot.storq_state = 'in_stock' THEN 'in_stock'
        WHEN lot.storq_state = 'delivered' THEN 'at_customer'
        WHEN lot.storq_state = 'in_repair' THEN 'in_repair'
        WHEN lot.storq_state IN ('scrapped', 'written_off') THEN 'scrapped'
        WHEN lot.storq_state = 'returned_to_vendor' THEN 'returned_to_vendor'
        ELSE 'unknown'
    END
    """
)


class StorqRecall(models.Model):
    """Which units a recall affects: the domain, the preview, the gaps in its ranges."""

    _inherit = "storq.recall"

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("preview_data")
    def _compute_preview_html(self):
        situations = dict(self.env["storq.recall.line"]._fields["situation"]._description_selection(self.env))
        for recall in self:
            data = recall.preview_data or {}
            recall.preview_html = recall._storq_render_preview(data, situations) if data else False

    def _storq_render_preview(self, data, situations):
        rows = []
        for situation, info in data.get("situations", {}).items():
            rows.append(
                Markup("<tr class='fw-bold'><td>%s</td><td class='text-end'>%s</td></tr>")
                % (situations.get(situation, situation), info["count"])
            )
            for label, count in info.get("details", []):
                rows.append(
                    Markup("<tr><td class='ps-4'>%s</td><td class='text-end'>%s</td></tr>") % (label, count)
                )
        html = Markup(
            "<table class='table table-sm o_storq_recall_preview'><thead><tr><th>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
        ) % (self.env._("Situation"), self.env._("Units"), Markup("").join(rows))
        if data.get("gaps"):
            html += Markup("<p><strong>%s</strong> %s</p>") % (
                self.env._("Never received (first %(count)s):", count=len(data["gaps"])),
                ", ".join(data["gaps"]),
            )
        if data.get("unknown_serials"):
            html += Markup("<p><strong>%s</strong> %s</p>") % (
                self.env._("Listed serials we have no unit for:"),
                ", ".join(data["unknown_serials"]),
            )
        if data.get("list_errors"):
            html += Markup("<p class='text-danger'><strong>%s</strong><br/>%s</p>") % (
                self.env._("Lines of the serial list that were skipped:"),
                Markup("<br/>").join(escape(error) for error in data["list_errors"]),
            )
        return html

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_preview(self):
        """Count the affected units by situation and list the never-received serials of the
        ranges. Changes nothing but the preview; a constant number of queries."""
        self.env["storq.serial.input"]._check_one(self)
        self._storq_check_draft()
        data = self._storq_preview_data()
        self.write(
            {
                "preview_data": data,
                "preview_count": data["count"],
                "gap_count": data["gap_count"],
                "preview_date": fields.Datetime.now(),
            }
        )
        return True

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
        the company that delivered, received or holds them (as `_storq_unit_companies` reads)."""
        company = self.company_id.id
        return [
            "|",
            ("company_id", "=", company),
            "&",
            ("company_id", "=", False),
            "|",
            "|",
            ("storq_delivery_picking_id.company_id", "=", company),
            ("storq_receipt_picking_id.company_id", "=", company),
            ("storq_location_id.company_id", "=", company),
        ]

    def _storq_ranges_domain(self):
        """OR over the ranges' segments: each one an index range scan on the serial key."""
        leaves = []
        for rng in self.range_ids:
            for prefix, suffix, width, first, last in rng._storq_segments():
                leaf = [
                    ("storq_serial_prefix", "=", prefix),
                    ("storq_serial_suffix", "=", suffix),
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
        for name, date_from, date_to in (
            ("storq_received_date", self.receipt_date_from, self.receipt_date_to),
            ("storq_delivered_date", self.delivery_date_from, self.delivery_date_to),
        ):
            if date_from:
                domain.append((name, ">=", datetime.datetime.combine(date_from, datetime.time.min)))
            if date_to:
                domain.append(
                    (
                        name,
                        "<",
                        datetime.datetime.combine(date_to, datetime.time.min) + datetime.timedelta(days=1),
                    )
                )
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
        return serials, errors[:GAPS_SHOWN]

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

    # ------------------------------------------------------------------
    # Business methods: preview
    # ------------------------------------------------------------------
    def _storq_preview_data(self):
        """Counts by situation (per location, per customer), gaps, unknown listed serials."""
        self.ensure_one()
        query = self._storq_units_query()
        self.env.cr.execute(
            SQL(
                """
                SELECT situation, location_id, partner_id, count(*)
                  FROM (SELECT %s AS situation, lot.storq_location_id AS location_id,
                               lot.storq_partner_id AS partner_id
                          FROM stock_lot lot
                          LEFT JOIN stock_location loc ON loc.id = lot.storq_location_id
                         WHERE lot.id IN %s) AS units
                 GROUP BY situation, location_id, partner_id
                 ORDER BY count(*) DESC
                """,
                SITUATION_SQL,
                query.subselect(),
            )
        )
        rows = self.env.cr.fetchall()
        data = self._storq_preview_summary(rows)
        gaps, gap_count = self._storq_range_gaps()
        data.update(gaps=gaps, gap_count=gap_count)
        serials, errors = self._storq_parse_serial_list()
        data["list_errors"] = errors
        data["unknown_serials"] = self._storq_unknown_serials(serials) if serials else []
        return data

    def _storq_preview_summary(self, rows):
        """{"count", "situations": {situation: {"count", "details": [(label, count)]}}}."""
        locations = self.env["stock.location"].browse({row[1] for row in rows if row[1]})
        partners = self.env["res.partner"].browse({row[2] for row in rows if row[2]})
        names = {("loc", rec.id): rec.display_name for rec in locations.sudo()}
        names.update({("partner", rec.id): rec.display_name for rec in partners.sudo()})
        situations = defaultdict(lambda: {"count": 0, "details": [], "more": 0})
        total = 0
        for situation, location_id, partner_id, count in rows:
            total += count
            info = situations[situation]
            info["count"] += count
            if situation == "at_customer":
                label = names.get(("partner", partner_id), "-")
            elif situation in ("in_stock", "reserved", "in_transit"):
                label = names.get(("loc", location_id), "-")
            else:
                continue
            if len(info["details"]) < PREVIEW_ROWS:
                info["details"].append((label, count))
            else:
                info["more"] += count
        for info in situations.values():
            if info["more"]:
                info["details"].append((self.env._("others"), info["more"]))
        order = [name for name, _label in self.env["storq.recall.line"]._fields["situation"].selection]
        return {
            "count": total,
            "situations": {name: situations[name] for name in order if name in situations},
        }

    def _storq_range_gaps(self):
        """(the first GAPS_SHOWN serials inside the ranges we never received, how many in all).

        One query per range segment (the ranges, not the units, set the count): the numbers
        found in the segment, counted, and the holes between them, found with a window.
        """
        shown, total = [], 0
        for rng in self.range_ids:
            for segment in rng._storq_segments():
                prefix, suffix, width, first, last = segment
                product_sql = SQL("AND product_id = %s", rng.product_id.id) if rng.product_id else SQL()
                self.env.cr.execute(
                    SQL(
                        """
                        WITH present AS (
                            SELECT DISTINCT storq_serial_digits::numeric AS n FROM stock_lot
                             WHERE storq_serial_prefix = %(prefix)s AND storq_serial_suffix = %(suffix)s
                               AND storq_serial_width = %(width)s
                               AND storq_serial_digits BETWEEN %(first)s AND %(last)s %(product)s
                               AND (company_id = %(company)s OR company_id IS NULL)
                        ), edges AS (
                            SELECT n, lag(n) OVER (ORDER BY n) AS previous FROM present
                        )
                        SELECT (SELECT count(*) FROM present),
                               (SELECT min(n) FROM present)::text,
                               (SELECT max(n) FROM present)::text,
                               ARRAY(SELECT ARRAY[(previous + 1)::text, (n - 1)::text] FROM edges
                                      WHERE n > previous + 1 ORDER BY n LIMIT %(limit)s)
                        """,
                        prefix=prefix,
                        suffix=suffix,
                        width=width,
                        first=first,
                        last=last,
                        product=product_sql,
                        limit=GAPS_SHOWN,
                        company=self.company_id.id,
                    )
                )
                found, lowest, highest, inner = self.env.cr.fetchone()
                total += segments_size([segment]) - found
                if len(shown) < GAPS_SHOWN:
                    holes = _holes(int(first), int(last), lowest, highest, inner)
                    shown += serials_in_holes(segment, holes, GAPS_SHOWN - len(shown))
        return shown, total

    def _storq_unknown_serials(self, serials):
        """Listed serials without a unit of the recall's company (first GAPS_SHOWN)."""
        known = set(
            self.env["stock.lot"]
            .sudo()
            .search_fetch(
                expression.AND([self._storq_company_domain(), [("name", "in", sorted(serials))]]), ["name"]
            )
            .mapped("name")
        )
        listed = {upper_ascii(serial) for serial in serials}
        known_upper = {upper_ascii(name) for name in known}
        return sorted(listed - known_upper)[:GAPS_SHOWN]


def _holes(first, last, lowest, highest, inner):
    """The holes (first missing, last missing) of a segment first..last, given the lowest and
    highest numbers found in it and the holes between them."""
    if lowest is None:
        return [(first, last)]
    holes = [(first, int(lowest) - 1)] if int(lowest) > first else []
    holes += [(int(start), int(end)) for start, end in inner]
    if int(highest) < last:
        holes.append((int(highest) + 1, last))
    return holes
