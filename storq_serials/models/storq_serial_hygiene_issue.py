from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models

from ..tools.errors import SerialValidationError
from ..tools.similarity import normalisation_clashes
from ..tools.similarity import typos_among

ISSUE_TYPES = [
    ("format", "Breaks its format rule"),
    ("normalised_duplicate", "Duplicate once normalised"),
    ("near_duplicate", "One character from another serial"),
    ("product_code", "Equals a product or location code"),
    ("unique_blocker", "Keeps the database from guaranteeing unique serials"),
]

# Up to how many units under serial control the button rescans in its request (a few seconds);
# beyond, it starts the cron, which rescans at least REFRESH_BATCH_UNITS units (whole products)
# per transaction, and remembers in REFRESH_CURSOR_PARAM the first product of its next one.
REFRESH_NOW_UNITS = 200_000
REFRESH_BATCH_UNITS = 100_000
REFRESH_CURSOR_PARAM = "storq_serials.hygiene_next_product_id"


class StorqSerialHygieneIssue(models.Model):
    """A problem found in existing serials: the data-cleaning worklist.

    Rebuilt by `_refresh_issues` (button and daily cron), never edited by hand.
    """

    _name = "storq.serial.hygiene.issue"
    _description = "Serial Hygiene Issue"
    _order = "issue_type, product_id, serial, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    lot_id = fields.Many2one(
        "stock.lot", "Unit", required=True, ondelete="cascade", index=True, check_company=True
    )
    serial = fields.Char(related="lot_id.name", store=True, index="trigram")
    product_id = fields.Many2one(related="lot_id.product_id", store=True, index=True)
    company_id = fields.Many2one(related="lot_id.company_id", store=True, index=True)
    issue_type = fields.Selection(ISSUE_TYPES, "Problem", required=True, index=True)
    detail = fields.Char(required=True)
    related_lot_id = fields.Many2one("stock.lot", "Related unit", ondelete="cascade")

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_unit(self):
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.lot",
            "res_id": self.lot_id.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def action_refresh(self):
        # The scan runs as superuser over every company: only those who manage serials start it.
        self.check_access("create")
        units = self._controlled_units_by_product()
        cron = self.env.ref("storq_serials.ir_cron_storq_serial_hygiene", raise_if_not_found=False)
        if sum(units.values()) <= self._refresh_now_units() or not cron:
            self._refresh_issues()
            return {"type": "ir.actions.client", "tag": "soft_reload"}
        # Too many units for one request: the cron rescans every product from the first one,
        # a transaction per batch of products; each product's issues are replaced at once.
        self.env["ir.config_parameter"].sudo().set_param(REFRESH_CURSOR_PARAM, False)
        cron.sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "sticky": True,
                "message": self.env._(
                    "Scanning %(units)s serials of %(products)s products takes a few minutes: it runs in the "
                    "background, product by product. Until it ends, the list shows each product as last "
                    "scanned (see Found on): every product's issues are replaced all at once, never half. "
                    "Reload the list to see the products scanned so far.",
                    units=sum(units.values()),
                    products=len(units),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def action_guarantee_unique_serials(self):
        return self.env["stock.lot"].action_storq_guarantee_unique_serials()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _refresh_now_units(self):
        """Up to how many units under serial control the button rescans in its own request."""
        return REFRESH_NOW_UNITS

    @api.model
    def _refresh_batch_units(self):
        """How many units a transaction of the cron rescans, at least (whole products)."""
        return REFRESH_BATCH_UNITS

    @api.model
    def _controlled_units_by_product(self):
        """{product id: its units} of the products under serial control, by product id."""
        self.env["stock.lot"].flush_model(["product_id", "storq_serial_control"])
        self.env.cr.execute(
            "SELECT product_id, count(*) FROM stock_lot WHERE storq_serial_control "
            "GROUP BY product_id ORDER BY product_id"
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _refresh_issues(self):
        """Rescan every unit of serial-controlled products, in the current transaction (one
        batch of products in memory at a time)."""
        for batch in self._product_batches(self._controlled_units_by_product()):
            self._refresh_products(batch)
        self._refresh_report_wide()
        return True

    @api.model
    def _cron_refresh_issues(self):
        """The daily cron: rescan the next batch of products from where the previous call
        stopped, then tell ir.cron how many products remain: it commits and calls again (each
        transaction, and the cron worker's time, stay bounded)."""
        params = self.env["ir.config_parameter"].sudo()
        start = int(params.get_param(REFRESH_CURSOR_PARAM) or 0)
        units = self._controlled_units_by_product()
        todo = {product_id: count for product_id, count in units.items() if product_id >= start}
        batch = next(self._product_batches(todo), [])
        self._refresh_products(batch)
        remaining = list(todo)[len(batch) :]
        if remaining:
            params.set_param(REFRESH_CURSOR_PARAM, remaining[0])
        else:
            self._refresh_report_wide()
            params.set_param(REFRESH_CURSOR_PARAM, False)
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(remaining))
        return True

    @api.model
    def _product_batches(self, units):
        """Lists of product ids, in the order of `units` ({product id: its units}), of at least
        `_refresh_batch_units` units each (the last one less), whole products."""
        batch, size = [], 0
        for product_id, count in units.items():
            batch.append(product_id)
            size += count
            if size >= self._refresh_batch_units():
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    @api.model
    def _refresh_products(self, product_ids):
        """Replace the issues of the products `product_ids` by a fresh scan of their units, in
        one transaction per call: a product's list is always whole (the old one or the new)."""
        if not product_ids:
            return
        Lot = self.env["stock.lot"].sudo()
        Lot.flush_model(["name", "product_id", "company_id"])
        self.flush_model()
        self.env.cr.execute(
            "DELETE FROM storq_serial_hygiene_issue "
            "WHERE product_id = ANY(%s) AND issue_type != 'unique_blocker'",
            [list(product_ids)],
        )
        self.invalidate_model()
        validation = self.env["storq.serial.validation"].sudo()
        code_owners = self._product_and_location_codes()
        # Plain rows, not records: 350,000 units of a product at 1,000,000 units fill the ORM's
        # cache for nothing, the rows are read once.
        self.env.cr.execute(
            "SELECT product_id, id, name, company_id FROM stock_lot "
            "WHERE product_id = ANY(%s) ORDER BY product_id",
            [list(product_ids)],
        )
        rows_by_product = defaultdict(list)
        for product_id, *row in self.env.cr.fetchall():
            rows_by_product[product_id].append(row)
        products = self.env["product.product"].sudo().with_context(active_test=False).browse(product_ids)
        vals_list = []
        for product in products:
            vals_list += self._issues_for_product(
                product, rows_by_product.pop(product.id, []), validation, code_owners
            )
        self._insert_issues(vals_list)

    @api.model
    def _refresh_report_wide(self):
        """What no product's scan answers: the units that keep the database from guaranteeing
        unique serials (across products), and the issues of products no longer under control."""
        self.flush_model()
        self.env["stock.lot"].flush_model(["storq_serial_control"])
        self.env.cr.execute(
            """
            DELETE FROM storq_serial_hygiene_issue issue
             WHERE issue_type = 'unique_blocker'
                OR NOT EXISTS (
                       SELECT 1 FROM stock_lot lot WHERE lot.id = issue.lot_id AND lot.storq_serial_control
                   )
            """
        )
        self.invalidate_model()
        self._insert_issues(self._unique_blocker_issues())

    @api.model
    def _insert_issues(self, vals_list):
        """Insert the issues `vals_list` (lot_id, issue_type, detail, related_lot_id) in one
        statement: the ORM's create of tens of thousands of issues took 46 s at 100,000 units
        (their related fields read unit by unit, the company check). The related fields are
        copied from the unit in the statement itself."""
        if not vals_list:
            return
        now = fields.Datetime.now()
        self.env.cr.execute(
            """
            INSERT INTO storq_serial_hygiene_issue
                   (lot_id, serial, product_id, company_id, issue_type, detail, related_lot_id,
                    create_uid, create_date, write_uid, write_date)
            SELECT lot.id, lot.name, lot.product_id, lot.company_id, v.issue_type, v.detail,
                   v.related_lot_id, %s, %s, %s, %s
              FROM unnest(%s::int4[], %s::varchar[], %s::varchar[], %s::int4[])
                   WITH ORDINALITY AS v(lot_id, issue_type, detail, related_lot_id, position)
              JOIN stock_lot lot ON lot.id = v.lot_id
             ORDER BY v.position
            """,
            [
                self.env.uid,
                now,
                self.env.uid,
                now,
                [vals["lot_id"] for vals in vals_list],
                [vals["issue_type"] for vals in vals_list],
                [vals["detail"] for vals in vals_list],
                [vals.get("related_lot_id") or None for vals in vals_list],
            ],
        )
        self.invalidate_model()

    @api.model
    def _unique_blocker_issues(self):
        """Create the uniqueness constraint if the data now allows it; otherwise list the units
        that forbid it (both of each pair), so that managers see why it is missing."""
        Lot = self.env["stock.lot"].sudo()
        if Lot._storq_ensure_unique_constraint():
            return []
        pairs = Lot._storq_unique_conflicts()
        lots = Lot.with_context(active_test=False).browse({lot_id for pair in pairs for lot_id in pair})
        lots.fetch(["name", "product_id", "company_id"])
        vals_list = []
        for first_id, second_id in pairs:
            for lot, other in (
                (lots.browse(first_id), lots.browse(second_id)),
                (lots.browse(second_id), lots.browse(first_id)),
            ):
                vals_list.append(
                    {
                        "lot_id": lot.id,
                        "issue_type": "unique_blocker",
                        "related_lot_id": other.id,
                        "detail": self.env._(
                            "Same serial as the unit of %(product)s (%(company)s): until one of them is "
                            "corrected, the database does not guarantee unique serials.",
                            product=other.product_id.display_name,
                            company=other.company_id.name or self.env._("no company"),
                        ),
                    }
                )
        return vals_list

    @api.model
    def _product_and_location_codes(self):
        """Upper-cased product references/barcodes, packaging and location barcodes → label."""
        self.env["storq.serial.validation"]._flush_code_fields()
        self.env.cr.execute(
            """
            SELECT upper(barcode), 'product' FROM product_product WHERE barcode IS NOT NULL
            UNION ALL
            SELECT upper(default_code), 'product' FROM product_product WHERE default_code IS NOT NULL
            UNION ALL SELECT upper(barcode), 'packaging' FROM product_packaging WHERE barcode IS NOT NULL
            UNION ALL SELECT upper(barcode), 'location' FROM stock_location WHERE barcode IS NOT NULL
            """
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _issues_for_product(self, product, lots, validation, code_owners):
        """The issues of one product's units `lots`: (id, serial, company id) rows."""
        rule, label = validation._get_rule(product)
        vals_list = []
        lots_by_name = defaultdict(list)
        normalised_by_name = {}
        for lot_id, name, company_id in lots:
            lots_by_name[name].append((lot_id, company_id))
            try:
                normalised = rule.normalize(name)
                rule.check(normalised)
            except SerialValidationError as error:
                vals_list.append(
                    {
                        "lot_id": lot_id,
                        "issue_type": "format",
                        "detail": validation._error_message(error, serial=name, rule_name=label),
                    }
                )
                # Normalised all the same where it can be, for the clashes below.
                normalised_by_name[name] = self._normalize_or_none(rule, name)
            else:
                normalised_by_name[name] = normalised
                if normalised != name:
                    vals_list.append(
                        {
                            "lot_id": lot_id,
                            "issue_type": "format",
                            "detail": self.env._(
                                "Not stored in its normalised form %(serial)s.", serial=normalised
                            ),
                        }
                    )
            kind = code_owners.get(name.upper())
            if kind:
                vals_list.append(
                    {
                        "lot_id": lot_id,
                        "issue_type": "product_code",
                        "detail": self.env._("Equals a %(kind)s code.", kind=kind),
                    }
                )
        for same_name in lots_by_name.values():
            if len(same_name) < 2:
                continue
            for lot_id, company_id in same_name:
                twins = [
                    other_id
                    for other_id, other_company_id in same_name
                    if other_id != lot_id
                    and (not other_company_id or not company_id or other_company_id == company_id)
                ]
                if twins:
                    vals_list.append(
                        {
                            "lot_id": lot_id,
                            "issue_type": "normalised_duplicate",
                            "related_lot_id": twins[0],
                            "detail": self.env._("Another unit has the very same serial."),
                        }
                    )
        clashes = normalisation_clashes(lots_by_name, normalised_by_name.get)
        for names in clashes.values():
            for name in names:
                others = [other for other in names if other != name]
                for lot_id, _company_id in lots_by_name[name]:
                    vals_list.append(
                        {
                            "lot_id": lot_id,
                            "issue_type": "normalised_duplicate",
                            "related_lot_id": lots_by_name[others[0]][0][0],
                            "detail": self.env._(
                                "Same serial as %(others)s once normalised.", others=", ".join(others)
                            ),
                        }
                    )
        for name, others in typos_among(lots_by_name).items():
            for lot_id, _company_id in lots_by_name[name]:
                vals_list.append(
                    {
                        "lot_id": lot_id,
                        "issue_type": "near_duplicate",
                        "related_lot_id": lots_by_name[others[0]][0][0],
                        "detail": self.env._("One character from %(others)s.", others=", ".join(others[:5])),
                    }
                )
        return vals_list

    @staticmethod
    def _normalize_or_none(rule, name):
        try:
            return rule.normalize(name)
        except SerialValidationError:
            return None
