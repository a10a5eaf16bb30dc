from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL

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
            # one more than counted: the batch sees it has reached the end
            self._storq_confirm_batch(SYNC_CONFIRM_LIMIT + 1)
        if self.state == "confirming":
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
        action = self.env["stock.lot"]._storq_units_action(
            self.env._("Units of %(recall)s", recall=self.name), []
        )
        # by the lines, not a list of ids: a recall may hold 100,000 units
        action["domain"] = [("storq_recall_line_ids.recall_id", "=", self.id)]
        return action

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

        A constant number of queries per batch, whatever its size: the lines are inserted
        straight from the units query with their situation (one statement), the block in one
        statement and its two events per unit in another, reservations released per transfer
        with one activity each.
        """
        self.ensure_one()
        recall = self.sudo()
        lot_ids = recall._storq_insert_lines(size)
        if lot_ids:
            lots = self.env["stock.lot"].sudo().browse(lot_ids)
            recall._storq_block_units(lots, recall._storq_block_reason())
            recall._storq_release_reservations(lots)
        vals = {"unit_done": recall.unit_done + len(lot_ids)}
        if lot_ids:
            vals["confirm_cursor"] = max(lot_ids)
        if len(lot_ids) < size:
            vals["state"] = "confirmed"
        recall.write(vals)
        if len(lot_ids) < size:
            recall.message_post(
                body=self.env._("Recall confirmed: %(count)s units blocked.", count=recall.unit_done)
            )
        return len(lot_ids)

    def _storq_insert_lines(self, size):
        """Insert the lines of the next `size` units after the cursor, each with its situation,
        in one statement; returns their unit ids. The lines are plain rows (no computed field,
        no chatter): the ORM would build `size` records in Python for the same INSERT."""
        query = self._storq_units_query()
        query.add_where(SQL("stock_lot.id > %s", self.confirm_cursor))
        query.order = SQL("stock_lot.id")
        query.limit = size
        # the batch's ids first, then the situation of those rows only: in one query the
        # situation (an EXISTS over move lines) is evaluated for the whole range before LIMIT
        units = SQL(
            """
            SELECT stock_lot.id AS lot_id, stock_lot.product_id AS product_id,
                   %(situation)s AS situation, stock_lot.storq_location_id AS location_id,
                   stock_lot.storq_partner_id AS partner_id
              FROM stock_lot
             WHERE stock_lot.id IN (%(ids)s)
            """,
            situation=self._storq_situation_sql(),
            ids=query.select(SQL("stock_lot.id")),
        )
        now = fields.Datetime.now()  # to the second, as every other event (they sort by date)
        # The company domain's subqueries make the planner estimate this statement at millions,
        # so PostgreSQL JIT-compiles it: 1.5 s of a 4 s batch at 1,000,000 units, for a query
        # that runs in 0.2 s. Off for this statement only (SET LOCAL ends with the transaction).
        self.env.cr.execute("SET LOCAL jit = off")
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO storq_recall_line
                       (recall_id, company_id, lot_id, product_id, situation, location_id, partner_id,
                        state, create_uid, create_date, write_uid, write_date)
                SELECT %(recall)s, %(company)s, units.lot_id, units.product_id, units.situation,
                       CASE WHEN units.situation <> 'at_customer' THEN units.location_id END,
                       CASE WHEN units.situation = 'at_customer' THEN units.partner_id END,
                       'blocked', %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (%(units)s) AS units
                RETURNING lot_id
                """,
                recall=self.id,
                company=self.company_id.id,
                uid=self.env.uid,
                now=now,
                units=units,
            )
        )
        lot_ids = [row[0] for row in self.env.cr.fetchall()]
        self.env.cr.execute("SET LOCAL jit TO DEFAULT")
        self.env["storq.recall.line"].invalidate_model()
        self.invalidate_recordset(["line_ids", "line_count"])
        self.env["stock.lot"].invalidate_model(["storq_recall_line_ids", "storq_recall_count"])
        return lot_ids

    def _storq_block_units(self, lots, reason):
        """Block `lots` for this recall, as `stock.lot._storq_block` does, with a "recalled" then
        a "blocked" event per unit naming the recall: 2 statements for the batch, read from the
        units themselves. Through the ORM, the write and the events of 5,000 units cost about
        1 s of Python (5,000 event dicts, the write's flush) on top of PostgreSQL's work, and
        53 queries; the guard is the same (serial managers, here in superuser mode after
        `_storq_check_manager`), and the cache is invalidated as the ORM would. A unit without
        a company gets the recall's company on both events."""
        lots._storq_check_can_block()
        Lot = self.env["stock.lot"]
        Lot.flush_model()
        self.env["storq.serial.event"].flush_model()
        now = fields.Datetime.now()  # to the second, as every other event (they sort by date)
        self.env.cr.execute(
            SQL(
                """
                UPDATE stock_lot
                   SET storq_blocked = TRUE, storq_block_reason = %(reason)s,
                       write_uid = %(uid)s, write_date = %(now)s
                 WHERE id = ANY(%(ids)s)
                """,
                reason=reason,
                uid=self.env.uid,
                now=now,
                ids=lots.ids,
            )
        )
        lots.invalidate_recordset(["storq_blocked", "storq_block_reason", "write_uid", "write_date"])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO storq_serial_event
                       (lot_id, product_id, company_id, event_type, date, user_id, partner_id,
                        location_id, document_ref, document_name, note,
                        create_uid, create_date, write_uid, write_date)
                SELECT lot.id, lot.product_id, COALESCE(lot.company_id, %(company)s), kind.event_type,
                       %(now)s, %(uid)s, lot.storq_partner_id, lot.storq_location_id, %(ref)s, %(name)s,
                       %(note)s,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM stock_lot lot
                 CROSS JOIN unnest(ARRAY['recalled', 'blocked']) WITH ORDINALITY AS kind(event_type, rank)
                 WHERE lot.id = ANY(%(ids)s)
                 ORDER BY kind.rank, lot.id
                """,
                company=self.company_id.id,
                now=now,
                uid=self.env.uid,
                ref=f"{self._name},{self.id}",
                name=self.display_name,
                note=reason,
                ids=lots.ids,
            )
        )
        self.env["storq.serial.event"].invalidate_model()
        Lot.invalidate_model(["storq_event_ids", "storq_event_count"])

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
