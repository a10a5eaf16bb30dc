"""Serial uniqueness the database guarantees, in every configuration the module offers.

The Python checks (`storq.serial.validation._check_duplicates`) give the clear message; this
constraint is what holds when two requests save the same serial at the same moment, which no
check that reads first can see. Odoo runs its transactions in REPEATABLE READ: a check in a
trigger (even behind an advisory lock) would read a snapshot taken before the other request
committed, and let the duplicate in. Indexes and constraints check the rows themselves.

Two units of serial-controlled products with the same serial conflict when a company sees
both (a unit without a company is seen by every company, as in Odoo's own
`stock.lot._check_unique_lot`), and they are of the same product or that company has
"Serials unique across products" on.

"Seen by every company" is what a unique index cannot say (NULL equals nothing; COALESCE
makes it one more company). Exclusion constraints can: each unit covers a range of companies
(its own, or all of them without one), and two units with the same serial may not overlap:
- `storq_stock_lot_unique_serial`: the same serial, the same product, overlapping companies;
- `storq_stock_lot_unique_serial_company`: the same serial, overlapping companies, among the
  units that the option concerns: those of companies with the option on, and those without a
  company while any company has it on (a unit of a company without the option and one without
  a company are seen together only by the first, which allows them).
GiST indexes (`btree_gist` gives GiST the `=` on the serial), checked on every insert and
update like a unique index, and waited on by concurrent writers like one.

Whether the option concerns a unit is copied on it (`storq_serial_unique_company_wide`), as
constraints can only read the row; `res.company.write` keeps it in step, refusing the option
while units would break it.
"""

import logging

import psycopg2

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import create_index
from odoo.tools import mute_logger
from odoo.tools.sql import SQL

_logger = logging.getLogger(__name__)

UNIQUE_SERIAL_CONSTRAINT = "storq_stock_lot_unique_serial"

# How many conflicting pairs a refusal lists.
MAX_LISTED_CONFLICTS = 20

_COMPANY_RANGE = "int4range(company_id, company_id, '[]')"
# name -> (columns, rows concerned)
UNIQUE_SERIAL_CONSTRAINTS = {
    UNIQUE_SERIAL_CONSTRAINT: (
        f"name WITH =, product_id WITH =, {_COMPANY_RANGE} WITH &&",
        "storq_serial_control",
    ),
    f"{UNIQUE_SERIAL_CONSTRAINT}_company": (
        f"name WITH =, {_COMPANY_RANGE} WITH &&",
        "storq_serial_control AND storq_serial_unique_company_wide",
    ),
}

# The likely-typo check (`_warn_similar`) finds its candidates by prefix and by suffix.
# Units found by their serial, whatever the product (a scan, a lookup: `name IN (...)`): a
# b-tree under the "C" collation, which exact lookups name (`_condition_to_sql`).
NAME_INDEX = "storq_stock_lot_serial_c_index"
# The same b-tree under the column's collation, in versions up to 18.0.1.x.x: PostgreSQL
# preferred Odoo's trigram index to it.
OLD_NAME_INDEX = "storq_stock_lot_name_index"
EXACT_OPERATORS = ("=", "in")
PATTERN_INDEXES = {
    "storq_stock_lot_product_name_prefix": "(product_id, name text_pattern_ops)",
    "storq_stock_lot_product_name_suffix": "(product_id, reverse(name) text_pattern_ops)",
}


class StockLot(models.Model):
    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_serial_unique_company_wide = fields.Boolean(
        compute="_compute_storq_serial_unique_company_wide",
        store=True,
        copy=False,
        help='Whether the company\'s "Serials unique across products" concerns this unit (for a '
        "unit without a company: whether any company has it on), for the database constraint.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("company_id")
    def _compute_storq_serial_unique_company_wide(self):
        # Not a related field on the company's option: turning it on would make the ORM
        # rewrite every unit of the company one batch at a time; res.company.write does it
        # in one UPDATE instead.
        any_on = None
        for lot in self:
            if lot.company_id:
                lot.storq_serial_unique_company_wide = lot.company_id.storq_serial_unique_per_company
                continue
            if any_on is None:
                any_on = self.env["res.company"]._storq_any_unique_across_products()
            lot.storq_serial_unique_company_wide = any_on

    # ------------------------------------------------------------------
    # CRUD (create and write are overridden once, in stock_lot.py, which calls this)
    # ------------------------------------------------------------------
    @api.model
    def _storq_drop_unique_flag(self, vals):
        """`vals` without the company-wide flag. Its copy follows the company, never a value
        sent over RPC or an import: a unit created with it off would escape the company-wide
        constraint."""
        if "storq_serial_unique_company_wide" not in vals:
            return vals
        vals = dict(vals)
        del vals["storq_serial_unique_company_wide"]
        return vals

    # ------------------------------------------------------------------
    # Search
    # ------------------------------------------------------------------
    def _condition_to_sql(self, alias, fname, operator, value, query):
        """Exact lookups by serial (`name = x`, `name in [...]`, Odoo's own included: its
        uniqueness check, the lots of a validated transfer) compare under the "C" collation,
        so that they can only use the b-tree NAME_INDEX.

        Under the column's own collation PostgreSQL may answer them with Odoo's trigram index,
        which it costs as if trigrams were evenly spread: on numbered serials (IMEIs all share
        "000", "351") `name IN (1,000 serials)` took 14-26 s at 100,000 units where the b-tree
        takes 2 ms. The result is the same: deterministic collations only call equal the same
        bytes."""
        serials = self._storq_exact_serials(fname, operator, value)
        if not serials:
            return super()._condition_to_sql(alias, fname, operator, value, query)
        sql_field = self._field_to_sql(alias, fname, query)
        return SQL('(%s COLLATE "C" IN %s)', sql_field, tuple(serials))

    @api.model
    def _storq_exact_serials(self, fname, operator, value):
        """The serials of an exact lookup that the "C" comparison can take, else None (other
        fields and operators, empty lists, False/None values: Odoo's own SQL)."""
        if fname != "name" or operator not in EXACT_OPERATORS:
            return None
        values = [value] if operator == "=" else value
        if not isinstance(values, list | tuple | set | frozenset) or not values:
            return None
        if not all(isinstance(serial, str) for serial in values):
            return None
        return sorted(set(values))

    # ------------------------------------------------------------------
    # Schema
    # ------------------------------------------------------------------
    def init(self):
        """Create the indexes; the constraint too, unless old duplicates forbid it for now.

        Duplicates must not break an installation or an update: the constraint is then left
        to the hygiene job and to the managers' "Guarantee unique serials" action, which create
        it as soon as the duplicates are gone; until then the serial hygiene report lists them.
        """
        result = super().init()
        cr = self.env.cr
        for name, columns in PATTERN_INDEXES.items():
            cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON stock_lot %s WHERE storq_serial_control",
                    SQL.identifier(name),
                    SQL(columns),
                )
            )
        # Odoo's trigram index on the serial answers `=` by intersecting the lists of units that
        # share each trigram, which numbered serials all share ("000", "359"): 7 to 18 ms a
        # lookup at 100,000 units, growing with them; a b-tree answers in a page or two.
        create_index(cr, NAME_INDEX, self._table, ['(name COLLATE "C")'])
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(OLD_NAME_INDEX)))
        # The unique index of earlier versions: replaced by the constraints, which say more.
        cr.execute(
            """
            SELECT 1 FROM pg_indexes WHERE indexname = %(name)s AND tablename = 'stock_lot'
               AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = %(name)s)
            """,
            {"name": UNIQUE_SERIAL_CONSTRAINT},
        )
        if cr.rowcount:
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(UNIQUE_SERIAL_CONSTRAINT)))
        if not self._storq_ensure_unique_constraint():
            _logger.warning(
                "Units with the same serial exist: the constraint %s that guarantees unique serials "
                "is postponed until they are corrected (see Inventory > Serials > Serial hygiene).",
                UNIQUE_SERIAL_CONSTRAINT,
            )
        return result

    @api.model
    def _storq_unique_constraint_exists(self):
        self.env.cr.execute(
            "SELECT count(*) FROM pg_constraint WHERE conname = ANY(%s) AND conrelid = 'stock_lot'::regclass",
            [list(UNIQUE_SERIAL_CONSTRAINTS)],
        )
        return self.env.cr.fetchone()[0] == len(UNIQUE_SERIAL_CONSTRAINTS)

    @api.model
    def _storq_ensure_unique_constraint(self):
        """Create the uniqueness constraint if the data allows it; whether it exists afterwards."""
        if self._storq_unique_constraint_exists():
            return True
        self.flush_model()
        if self._storq_unique_conflicts(limit=1):
            return False
        cr = self.env.cr
        try:
            with cr.savepoint(), mute_logger("odoo.sql_db"):
                # A trusted extension: the database owner may create it.
                cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
                for name, (columns, where) in UNIQUE_SERIAL_CONSTRAINTS.items():
                    cr.execute(
                        "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = 'stock_lot'::regclass",
                        [name],
                    )
                    if not cr.rowcount:
                        cr.execute(
                            SQL(
                                "ALTER TABLE stock_lot ADD CONSTRAINT %s EXCLUDE USING gist (%s) WHERE (%s)",
                                SQL.identifier(name),
                                SQL(columns),
                                SQL(where),
                            )
                        )
        except psycopg2.Error as error:
            # A duplicate saved since the check above, or an extension the server lacks.
            _logger.warning("The constraint %s could not be created: %s", UNIQUE_SERIAL_CONSTRAINT, error)
            return False
        return True

    @api.model
    def _storq_unique_conflicts(self, limit=None, company_wide_ids=()):
        """Pairs of unit ids that the constraint forbids, first unit's id first.

        `company_wide_ids`: companies to count as having "Serials unique across products" on,
        to know what turning the option on would meet.
        """
        self.flush_model(["name", "product_id", "company_id", "storq_serial_control"])
        wide = list(company_wide_ids)

        def concerned(alias):
            """Whether the company-wide option concerns the unit, as it would with `wide` on."""
            return SQL(
                "(%(lot)s.storq_serial_unique_company_wide OR %(lot)s.company_id = ANY(%(wide)s) "
                "OR (%(lot)s.company_id IS NULL AND %(any)s))",
                lot=SQL.identifier(alias),
                wide=wide,
                any=bool(wide),
            )

        self.env.cr.execute(
            SQL(
                """
                SELECT a.id, b.id
                  FROM stock_lot a
                  JOIN stock_lot b ON b.name = a.name AND b.id > a.id
                 WHERE a.storq_serial_control AND b.storq_serial_control
                   AND (a.company_id IS NULL OR b.company_id IS NULL OR a.company_id = b.company_id)
                   AND (a.product_id = b.product_id OR (%(a_concerned)s AND %(b_concerned)s))
                 ORDER BY a.id, b.id
                 %(limit)s
                """,
                a_concerned=concerned("a"),
                b_concerned=concerned("b"),
                limit=SQL("LIMIT %s", limit) if limit else SQL(),
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _storq_describe_conflicts(self, pairs):
        """One line per conflicting pair, for refusals: serial, both units' products and companies."""
        lots = (
            self.sudo().with_context(active_test=False).browse({lot_id for pair in pairs for lot_id in pair})
        )
        lots.fetch(["name", "product_id", "company_id"])
        lines = []
        for first_id, second_id in pairs[:MAX_LISTED_CONFLICTS]:
            first, second = lots.browse(first_id), lots.browse(second_id)
            lines.append(
                self.env._(
                    "- %(serial)s: %(first)s (%(first_company)s) and %(second)s (%(second_company)s)",
                    serial=first.name,
                    first=first.product_id.display_name,
                    first_company=first.company_id.name or self.env._("no company"),
                    second=second.product_id.display_name,
                    second_company=second.company_id.name or self.env._("no company"),
                )
            )
        if len(pairs) > MAX_LISTED_CONFLICTS:
            lines.append(self.env._("… and %(count)s more.", count=len(pairs) - MAX_LISTED_CONFLICTS))
        return "\n".join(lines)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def action_storq_guarantee_unique_serials(self):
        """A manager's button: create the constraint now, or say which units keep it from existing."""
        if not self.env.user.has_group("storq_serials.group_storq_manager"):
            raise UserError(self.env._("Only serial managers can change how serials are guaranteed unique."))
        if self.sudo()._storq_ensure_unique_constraint():
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "success",
                    "message": self.env._("The database now guarantees that serials are unique."),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        pairs = self.sudo()._storq_unique_conflicts(limit=MAX_LISTED_CONFLICTS + 1)
        if not pairs:
            raise UserError(
                self.env._(
                    "The database could not create the constraint that keeps serials unique, though "
                    "no units share a serial: ask your administrator to check that PostgreSQL's "
                    "btree_gist extension is available (the server log says why it failed)."
                )
            )
        raise UserError(
            self.env._(
                "The database cannot guarantee unique serials yet: these units share a serial.\n"
                "%(lines)s\n\nCorrect the serial of one unit of each pair (or delete the one created "
                "by mistake), then try again. Serial Hygiene lists them all.",
                lines=self._storq_describe_conflicts(pairs),
            )
        )
