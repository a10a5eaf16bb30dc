from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models

from ..tools.errors import SerialValidationError
from ..tools.similarity import likely_typos
from ..tools.similarity import normalisation_clashes

ISSUE_TYPES = [
    ("format", "Breaks its format rule"),
    ("normalised_duplicate", "Duplicate once normalised"),
    ("near_duplicate", "One character from another serial"),
    ("product_code", "Equals a product or location code"),
    ("unique_blocker", "Keeps the database from guaranteeing unique serials"),
]


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
        self._refresh_issues()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def action_guarantee_unique_serials(self):
        return self.env["stock.lot"].action_storq_guarantee_unique_serials()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _refresh_issues(self):
        """Rescan every unit of serial-controlled products, one product at a time."""
        Lot = self.env["stock.lot"].sudo().with_context(active_test=False)
        Lot.flush_model(["name", "product_id", "company_id"])
        # A full rebuild: every row goes, whatever the user's companies.
        self.env.cr.execute("DELETE FROM storq_serial_hygiene_issue")
        self.invalidate_model()
        groups = Lot._read_group([("storq_serial_control", "=", True)], ["product_id"])
        validation = self.env["storq.serial.validation"].sudo()
        code_owners = self._product_and_location_codes()
        for (product,) in groups:
            lots = Lot.search_fetch([("product_id", "=", product.id)], ["name", "company_id"])
            vals_list = self._issues_for_product(product, lots, validation, code_owners)
            self._insert_issues(vals_list)
            # One product's units at a time in memory (350,000 of them at 1,000,000 units).
            Lot.invalidate_model(["name", "company_id"])
        self._insert_issues(self._unique_blocker_issues())
        return True

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
        rule, label = validation._get_rule(product)
        vals_list = []
        lot_by_name = defaultdict(list)
        for lot in lots:
            lot_by_name[lot.name].append(lot)
            try:
                normalised = rule.normalize(lot.name)
                rule.check(normalised)
            except SerialValidationError as error:
                vals_list.append(
                    {
                        "lot_id": lot.id,
                        "issue_type": "format",
                        "detail": validation._error_message(error, serial=lot.name, rule_name=label),
                    }
                )
            else:
                if normalised != lot.name:
                    vals_list.append(
                        {
                            "lot_id": lot.id,
                            "issue_type": "format",
                            "detail": self.env._(
                                "Not stored in its normalised form %(serial)s.", serial=normalised
                            ),
                        }
                    )
            kind = code_owners.get(lot.name.upper())
            if kind:
                vals_list.append(
                    {
                        "lot_id": lot.id,
                        "issue_type": "product_code",
                        "detail": self.env._("Equals a %(kind)s code.", kind=kind),
                    }
                )
        for same_name in lot_by_name.values():
            companies = [lot.company_id for lot in same_name]
            for lot in same_name:
                twins = [
                    other
                    for other, company in zip(same_name, companies)
                    if other != lot and (not company or not lot.company_id or company == lot.company_id)
                ]
                if twins:
                    vals_list.append(
                        {
                            "lot_id": lot.id,
                            "issue_type": "normalised_duplicate",
                            "related_lot_id": twins[0].id,
                            "detail": self.env._("Another unit has the very same serial."),
                        }
                    )
        clashes = normalisation_clashes(lot_by_name, rule.normalize)
        for names in clashes.values():
            for name in names:
                others = [other for other in names if other != name]
                for lot in lot_by_name[name]:
                    vals_list.append(
                        {
                            "lot_id": lot.id,
                            "issue_type": "normalised_duplicate",
                            "related_lot_id": lot_by_name[others[0]][0].id,
                            "detail": self.env._(
                                "Same serial as %(others)s once normalised.", others=", ".join(others)
                            ),
                        }
                    )
        names = list(lot_by_name)
        for name, others in likely_typos(names, names).items():
            for lot in lot_by_name[name]:
                vals_list.append(
                    {
                        "lot_id": lot.id,
                        "issue_type": "near_duplicate",
                        "related_lot_id": lot_by_name[others[0]][0].id,
                        "detail": self.env._("One character from %(others)s.", others=", ".join(others[:5])),
                    }
                )
        return vals_list
