from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL

from .storq_recall_selection import SITUATION_SQL

# Recalls up to this many units are confirmed in the request; larger ones by the cron job.
SYNC_CONFIRM_LIMIT = 5000
# Units per committed batch of the cron job.
CONFIRM_BATCH = 5000


class StorqRecall(models.Model):
    """Confirming a recall: one line per unit, a recall event, a block naming the recall,
    reservations released and their transfers flagged. Large recalls run in committed
    batches through `ir_cron_storq_recall_confirm`, with progress on the campaign."""

    _inherit = "storq.recall"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_confirm(self):
        self.env["storq.serial.input"]._check_one(self)
        self._storq_check_manager()
        self._storq_check_draft()
        total = self.env["stock.lot"].sudo().search_count(self._get_units_domain())
        if not total:
            raise UserError(
                self.env._(
                    "%(recall)s selects no units: check the products, ranges and filters, and "
                    "preview again.",
                    recall=self.name,
                )
            )
        self.write(
            {
                "state": "confirming",
                "unit_total": total,
                "unit_done": 0,
                "confirm_cursor": 0,
                "date_confirmed": fields.Datetime.now(),
            }
        )
        if total <= SYNC_CONFIRM_LIMIT:
            self._storq_confirm_batch(SYNC_CONFIRM_LIMIT)
        else:
            self.message_post(
                body=self.env._(
                    "%(count)s units to confirm: they are blocked in batches of %(batch)s by a "
                    "scheduled job; the progress shows on the recall.",
                    count=total,
                    batch=CONFIRM_BATCH,
                )
            )
            self.env.ref("storq_serials.ir_cron_storq_recall_confirm")._trigger()
        return True

    def action_view_units(self):
        self.ensure_one()
        return self.env["stock.lot"]._storq_units_action(
            self.env._("Units of %(recall)s", recall=self.name), self.line_ids.lot_id.ids
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_check_manager(self):
        if not (self.env.su or self.env.user.has_group("storq_serials.group_storq_manager")):
            raise AccessError(
                self.env._("Only serial managers can confirm a recall or quarantine its units: ask one.")
            )

    @api.model
    def _cron_confirm_batches(self):
        """Confirm one batch of the oldest recall being confirmed. Odoo's cron runner commits
        after each call and calls again while `_notify_progress` reports units remaining."""
        recalls = self.sudo().search([("state", "=", "confirming")], order="id")
        done = recalls[:1]._storq_confirm_batch(CONFIRM_BATCH) if recalls else 0
        remaining = sum(
            recall.unit_total - recall.unit_done for recall in recalls if recall.state == "confirming"
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=max(remaining, 0))

    def _storq_confirm_batch(self, size):
        """Confirm the next `size` units of this recall (in unit id order); returns how many.

        A constant number of queries per batch, whatever its size: the units and their
        situation in one statement, lines inserted together, one block write, the events in
        one statement, reservations released per transfer with one activity each.
        """
        self.ensure_one()
        recall = self.sudo()
        query = recall._storq_units_query()
        self.env.cr.execute(
            SQL(
                """
                SELECT lot.id, lot.product_id, %s, lot.storq_location_id, lot.storq_partner_id
                  FROM stock_lot lot
                  LEFT JOIN stock_location loc ON loc.id = lot.storq_location_id
                 WHERE lot.id IN %s AND lot.id > %s
                 ORDER BY lot.id
                 LIMIT %s
                """,
                SITUATION_SQL,
                query.subselect(),
                recall.confirm_cursor,
                size,
            )
        )
        rows = self.env.cr.fetchall()
        if rows:
            lines = (
                self.env["storq.recall.line"]
                .sudo()
                .create(
                    [
                        {
                            "recall_id": recall.id,
                            "company_id": recall.company_id.id,
                            "lot_id": lot_id,
                            "product_id": product_id,
                            "situation": situation,
                            "location_id": location_id if situation != "at_customer" else False,
                            "partner_id": partner_id if situation == "at_customer" else False,
                            "state": "blocked",
                        }
                        for lot_id, product_id, situation, location_id, partner_id in rows
                    ]
                )
            )
            lots = lines.lot_id
            lots._storq_log_events("recalled", recall._storq_block_reason(), recall)
            lots._storq_block(recall._storq_block_reason(), recall)
            recall._storq_release_reservations(lots)
        vals = {"unit_done": recall.unit_done + len(rows)}
        if rows:
            vals["confirm_cursor"] = rows[-1][0]
        if len(rows) < size:
            vals["state"] = "confirmed"
        recall.write(vals)
        if len(rows) < size:
            recall.message_post(
                body=self.env._("Recall confirmed: %(count)s units blocked.", count=recall.unit_done)
            )
        return len(rows)

    def _storq_block_reason(self):
        self.ensure_one()
        return self.env._("Recall %(recall)s: %(title)s", recall=self.name, title=self.title)

    def _storq_release_reservations(self, lots):
        """Release what open transfers reserved of `lots` and flag each transfer with an
        activity for its responsible (or the recall's), naming the units taken out."""
        move_lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "not in", ("done", "cancel")),
                    ("picking_id", "!=", False),
                ]
            )
        )
        if not move_lines:
            return
        serials_by_picking = {
            picking: lines.lot_id.mapped("name")
            for picking, lines in move_lines.grouped("picking_id").items()
        }
        moves = move_lines.move_id
        move_lines.unlink()
        moves._recompute_state()
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("stock.picking")
        activities = []
        for picking, serials in serials_by_picking.items():
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": picking.id,
                    "activity_type_id": todo.id,
                    "user_id": (picking.user_id or self.user_id or self.env.user).id,
                    "summary": self.env._("Recall %(recall)s: units released", recall=self.name),
                    "note": self.env._(
                        "%(serials)s are recalled (%(title)s) and were taken off this transfer. "
                        "Check availability to reserve other units.",
                        serials=", ".join(serials[:50]),
                        title=self.title,
                    ),
                    "date_deadline": fields.Date.context_today(self),
                }
            )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
