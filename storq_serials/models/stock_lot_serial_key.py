from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import create_index
from odoo.tools import sql as sql_tools

from ..tools.serial_order import SQL_ASCII_UPPER
from ..tools.serial_order import SQL_SPLIT_PATTERN
from ..tools.serial_order import serial_key

KEY_COLUMNS = ("storq_serial_prefix", "storq_serial_digits", "storq_serial_width", "storq_serial_suffix")
KEY_INDEX = "stock_lot_storq_serial_key_index"


class StockLot(models.Model):
    """What comparing a serial in its natural order needs, stored on each unit and indexed.

    A recall's range SN-0099..SN-0101 is read as segments of one width (`tools/serial_order`):
    prefix, suffix and width equal, digits between two digit strings of that width. The digits
    are kept as text: inside one width they compare like their numbers, at any length (a
    serial's digit run may exceed the 18 digits of a bigint).
    """

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_serial_prefix = fields.Char(
        "Serial prefix",
        compute="_compute_storq_serial_key",
        store=True,
        readonly=True,
        help="What comes before the serial's last run of digits, upper-cased.",
    )
    storq_serial_digits = fields.Char(
        "Serial number part",
        compute="_compute_storq_serial_key",
        store=True,
        readonly=True,
        help="The serial's last run of digits, with its leading zeros.",
    )
    storq_serial_width = fields.Integer(
        "Serial number width",
        compute="_compute_storq_serial_key",
        store=True,
        readonly=True,
        help="How many digits the serial's number has, leading zeros included.",
    )
    storq_serial_suffix = fields.Char(
        "Serial suffix",
        compute="_compute_storq_serial_key",
        store=True,
        readonly=True,
        help="What follows the serial's last run of digits, upper-cased.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("name")
    def _compute_storq_serial_key(self):
        for lot in self:
            key = serial_key(lot.name or "")
            lot.storq_serial_prefix = key["prefix"]
            lot.storq_serial_digits = key["digits"]
            lot.storq_serial_width = key["width"]
            lot.storq_serial_suffix = key["suffix"]

    # ------------------------------------------------------------------
    # Schema
    # ------------------------------------------------------------------
    def _auto_init(self):
        # Existing units get their key in one SQL statement: left to the ORM, adding a stored
        # computed column recomputes it record by record (an hour on a million units).
        cr = self.env.cr
        missing = not sql_tools.column_exists(cr, self._table, "storq_serial_prefix")
        if missing:
            for column, sql_type in zip(KEY_COLUMNS, ("varchar", "varchar", "int4", "varchar"), strict=True):
                if not sql_tools.column_exists(cr, self._table, column):
                    sql_tools.create_column(cr, self._table, column, sql_type)
            self._storq_fill_serial_keys()
        result = super()._auto_init()
        create_index(
            cr,
            KEY_INDEX,
            self._table,
            ["storq_serial_prefix", "storq_serial_suffix", "storq_serial_width", "storq_serial_digits"],
        )
        return result

    @api.model
    def _storq_fill_serial_keys(self):
        """Write the serial key of every unit in one statement (what `_compute_storq_serial_key`
        gives, in SQL: the same split and ASCII upper-casing)."""
        parts = SQL("regexp_match(name, %s)", SQL_SPLIT_PATTERN)
        upper = SQL_ASCII_UPPER.format
        self.env.cr.execute(
            SQL(
                f"""
                UPDATE stock_lot SET
                    storq_serial_prefix = {upper("COALESCE(m[1], name)")},
                    storq_serial_digits = COALESCE(m[2], ''),
                    storq_serial_width = COALESCE(length(m[2]), 0),
                    storq_serial_suffix = {upper("COALESCE(m[3], '')")}
                FROM (SELECT id AS lot_id, %s AS m FROM stock_lot) AS split
                WHERE split.lot_id = stock_lot.id
                """,
                parts,
            )
        )
