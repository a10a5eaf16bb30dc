"""What a scan reads, in fewer queries than first accesses would take.

A scan (`storq_scan`) starts from a cold cache, as every request does: each record or one2many
it touches first costs a query, and at a million units the round trips, not the queries' work,
are most of its time (benchmarks/profile_scan.py lists them). These helpers read together what
the scan would read one by one, with the very fields Odoo's first access reads.
"""

from collections import defaultdict

from odoo import api
from odoo import models


def first_access_fields(model):
    """The fields Odoo reads with a record's first field (`BaseModel._fetch_field`): its
    prefetched fields that the user may read."""
    return [
        name
        for name, field in model._fields.items()
        if field.prefetch is True and field.is_accessible(model.env)
    ]


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _storq_scan_context_product(self, product_id):
        """The product `product_id` whose serials the form is scanning (empty when it is none the
        user may read), read at once: 1 query where `exists()` and the first read take 2."""
        if not product_id:
            return self.env["product.product"]
        Product = self.env["product.product"].with_context(active_test=False)
        found = Product.search_fetch([("id", "=", product_id)], first_access_fields(Product), limit=1)
        return found.with_env(self.env)

    def _storq_prefetch_scan_locations(self, unit):
        """Read in 1 query the locations a scan would read one by one: the destination (does
        the transfer ship?), the unit's location, and the source location's parents (Odoo's
        removal strategy walks up them when a reservation moves)."""
        source = self.location_id
        ids = {self.location_dest_id.id, unit.storq_location_id.id}
        ids.update(int(part) for part in (source.parent_path or "").split("/") if part)
        self.env["stock.lot"]._storq_prefetch_names("stock.location", [id_ for id_ in ids if id_])

    @api.model
    def _storq_prefetch_lines(self, records, field_name):
        """Read the one2many `field_name` of `records` with its lines in 1 query, where a first
        access reads the lines' ids, then the lines (2): Odoo's `One2many.read`, whose search
        also fetches the fields a line's first access reads. Nothing when already in cache."""
        field = records._fields[field_name]
        if not records or not any(records.env.cache.get_missing_ids(records, field)):
            return
        comodel = records.env[field.comodel_name].with_context(active_test=False, **field.context)
        domain = field.get_domain_list(records) + [(field.inverse_name, "in", records.ids)]
        lines = comodel.search_fetch(domain, first_access_fields(comodel))
        by_record = defaultdict(list)
        for line in lines:
            by_record[line[field.inverse_name].id].append(line.id)
        records.env.cache.insert_missing(records, field, [tuple(by_record[id_]) for id_ in records._ids])
