from collections import defaultdict

from markupsafe import Markup
from markupsafe import escape

from odoo import api
from odoo import fields
from odoo import models
from odoo.osv import expression
from odoo.tools import SQL

from ..tools.serial_order import segments_size
from ..tools.serial_order import serials_in_holes
from ..tools.serial_order import upper_ascii

# How many never-received serials and unknown listed serials the preview names.
GAPS_SHOWN = 50
# How many locations and customers the preview names per situation, before "others".
PREVIEW_ROWS = 50


class StorqRecall(models.Model):
    """The preview of a recall: its units by situation, the gaps in its ranges, before
    anything changes."""

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
    # Business methods: preview
    # ------------------------------------------------------------------
    def _storq_preview_data(self):
        """Counts by situation (per location, per customer), gaps, unknown listed serials."""
        self.ensure_one()
        query = self._storq_units_query()
        units = query.select(
            SQL("%s AS situation", self._storq_situation_sql()),
            SQL("stock_lot.storq_location_id AS location_id"),
            SQL("stock_lot.storq_partner_id AS partner_id"),
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT situation, location_id, partner_id, count(*)
                  FROM (%s) AS units
                 GROUP BY situation, location_id, partner_id
                 ORDER BY count(*) DESC
                """,
                units,
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
