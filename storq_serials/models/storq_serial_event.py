from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import split_every

EVENT_TYPES = [
    ("received", "Received"),
    ("moved", "Moved"),
    ("delivered", "Delivered"),
    ("returned", "Returned"),
    ("returned_to_vendor", "Returned to vendor"),
    ("scrapped", "Scrapped"),
    ("written_off", "Written off"),
    ("adjusted", "Adjusted"),
    ("suspicious_return", "Suspicious return"),
    ("blocked", "Blocked"),
    ("unblocked", "Unblocked"),
    ("note", "Note"),
    ("corrected", "Record corrected"),
    ("renamed", "Serial corrected"),
    ("claim_opened", "Claim opened"),
    ("claim_approved", "Claim approved"),
    ("claim_rejected", "Claim rejected"),
    ("claim_resolved", "Claim resolved"),
    ("claim_closed", "Claim closed"),
    ("claim_replacement", "Replacement for a claim"),
    ("claim_supplier", "Claimed from the supplier"),
    ("warranty_started", "Warranty started"),
    ("warranty_extended", "Warranty extended"),
    ("warranty_reapplied", "Warranty terms re-applied"),
    ("warranty_inherited", "Warranty taken over"),
    ("warranty_expired", "Warranty expired"),
    ("manufacture_dated", "Manufacture date set"),
    ("recalled", "Recalled"),
    ("audited", "Audited"),
    ("found", "Found by an audit"),
    ("missing", "Missing"),
]

# Columns written by `_bulk_create` with their SQL array types, besides the log columns.
BULK_COLUMNS = (
    ("lot_id", "int4"),
    ("product_id", "int4"),
    ("company_id", "int4"),
    ("event_type", "varchar"),
    ("date", "timestamp"),
    ("user_id", "int4"),
    ("partner_id", "int4"),
    ("location_id", "int4"),
    ("location_dest_id", "int4"),
    ("move_line_id", "int4"),
    ("document_ref", "varchar"),
    ("document_name", "varchar"),
    ("note", "varchar"),
)


class StorqSerialEvent(models.Model):
    """One thing that happened to one unit: the append-only history of a serial.

    Events are written by the code that makes them happen (stock moves, returns, claims,
    recalls, audits), in batches, and are never edited or deleted but by the superuser.
    """

    _name = "storq.serial.event"
    _description = "Serial Number Event"
    _order = "date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # Restrict: deleting a unit must never take its history with it (units with a history
    # cannot be deleted, see stock.lot `_unlink_except_unit_history`).
    lot_id = fields.Many2one(
        "stock.lot",
        "Unit",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    product_id = fields.Many2one("product.product", index=True, readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    event_type = fields.Selection(EVENT_TYPES, "Event", required=True, index=True, readonly=True)
    date = fields.Datetime(required=True, index=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", "By", readonly=True, default=lambda self: self.env.user)
    partner_id = fields.Many2one("res.partner", index=True, readonly=True)
    location_id = fields.Many2one("stock.location", "From", readonly=True)
    location_dest_id = fields.Many2one("stock.location", "To", readonly=True)
    move_line_id = fields.Many2one("stock.move.line", readonly=True, index="btree_not_null")
    document_ref = fields.Reference(selection="_selection_document_ref", string="Document", readonly=True)
    # The document's name when the event was written, shown in the history instead of reading
    # every document (a query per kind of document): a history tells what happened as it was
    # named then, as the chatter's tracking values do; the link opens the document itself.
    document_name = fields.Char(readonly=True)
    note = fields.Char(readonly=True)
    old_value = fields.Text("Before", readonly=True, help="What a correction changed, as it was.")
    new_value = fields.Text("After", readonly=True, help="What a correction changed, as it is now.")

    # ------------------------------------------------------------------
    # Selection
    # ------------------------------------------------------------------
    @api.model
    def _selection_document_ref(self):
        """Documents an event can point to, all listed here; other modules extend it."""
        names = (
            "stock.picking",
            "stock.scrap",
            "stock.move",
            "purchase.order",
            "sale.order",
            "res.partner",
            "account.move",
            "storq.warranty.claim",
            "storq.recall",
            "storq.serial.audit",
        )
        return [(name, self.env[name]._description) for name in names if name in self.env]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._add_document_names(vals_list)
        return super().create(vals_list)

    def web_read(self, specification):
        """The history list shows each event's document by name: Odoo's `web_read` reads a
        reference one record at a time (a query per document). The events answer with the
        name stored when they were written, without reading the documents: a constant count
        whatever kinds of documents a history names. Events written before the name was
        stored read their documents, one query per model."""
        document_spec = specification.get("document_ref")
        if not document_spec or set(document_spec.get("fields") or ()) != {"display_name"}:
            return super().web_read(specification)
        # The reference and the name read with the other fields (a reference without "fields"
        # comes back as read), then answered as Odoo answers a reference.
        values_list = super().web_read({**specification, "document_ref": {}, "document_name": {}})
        unnamed = self.browse(
            values["id"] for values in values_list if values["document_ref"] and not values["document_name"]
        )
        old_values = {}
        if unnamed:
            unnamed._storq_prefetch_documents()
            old_values = {
                values["id"]: values["document_ref"]
                for values in super(StorqSerialEvent, unnamed).web_read({"document_ref": document_spec})
            }
        for values in values_list:
            if "document_name" not in specification:
                del values["document_name"]
            if values["id"] in old_values:
                values["document_ref"] = old_values[values["id"]]
            else:
                values["document_ref"] = self.browse(values["id"])._document_ref_value()
        return values_list

    def write(self, vals):
        self._check_append_only()
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_only_by_superuser(self):
        self._check_append_only()

    def _check_append_only(self):
        if not self.env.su:
            raise AccessError(
                self.env._("The history of a unit cannot be changed: add a note event instead.")
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _document_ref_value(self):
        """This event's document as `web_read` answers a reference, with its stored name (or
        Odoo's words when the user may not read that kind of document)."""
        document = self.document_ref
        if not document:
            return False
        name = self.document_name
        # The kind of document only (a cached check, no query): the event and the unit are
        # the user's already, and documents are of the unit's company.
        if not document.browse().has_access("read"):
            name = self.env._("You don't have access to this record")
        return {"id": {"id": document.id, "model": document._name}, "display_name": name}

    @api.model
    def _add_document_names(self, vals_list):
        """Fill the `document_name` of the events of `vals_list` pointing to a document
        ("model,id"), as the document is named now: one read per model."""
        unnamed = [vals for vals in vals_list if vals.get("document_ref") and not vals.get("document_name")]
        names = self._document_names({vals["document_ref"] for vals in unnamed})
        for vals in unnamed:
            vals["document_name"] = names.get(vals["document_ref"])

    @api.model
    def _document_names(self, refs):
        """{"model,id": display name} of the documents `refs` (of installed models), read as
        superuser: the history keeps the name of whatever the event points to."""
        ids_by_model = defaultdict(list)
        for ref in refs:
            model_name, _sep, record_id = ref.partition(",")
            if model_name in self.env and record_id.isdigit():
                ids_by_model[model_name].append(int(record_id))
        names = {}
        for model_name, ids in ids_by_model.items():
            for document in self.env[model_name].sudo().browse(ids):
                names[f"{model_name},{document.id}"] = document.display_name
        return names

    @api.model
    def _storq_fill_document_names(self):
        """Store the document names of the events written before they were stored (migration
        18.0.1.0.1): the names are read a thousand documents at a time, then written in one
        statement (a single pass over the events)."""
        cr = self.env.cr
        cr.execute(
            "SELECT DISTINCT document_ref FROM storq_serial_event"
            " WHERE document_ref IS NOT NULL AND document_name IS NULL"
        )
        refs, names = [], []
        for batch in split_every(1000, [ref for (ref,) in cr.fetchall()]):
            for ref, name in self._document_names(batch).items():
                refs.append(ref)
                names.append(name)
            self.env.invalidate_all()  # the documents read so far are not needed again
        cr.execute(
            """
            UPDATE storq_serial_event event SET document_name = named.name
              FROM unnest(%s::varchar[], %s::varchar[]) AS named(ref, name)
             WHERE event.document_ref = named.ref AND event.document_name IS NULL
            """,
            [refs, names],
        )
        self.invalidate_model(["document_name"])
        return len(refs)

    def _storq_prefetch_documents(self):
        """Read the documents of these events into the cache, one query per model: what their
        names and the user's access to them need (the fields of their display name, their
        company for the record rules). Documents the user may not read are left to Odoo."""
        self.fetch(["document_ref"])
        ids_by_model = defaultdict(set)
        for event in self:
            document = event.document_ref
            if document:
                ids_by_model[document._name].add(document.id)
        for model_name, ids in ids_by_model.items():
            documents = self.env[model_name].browse(ids)
            names = [field.name for field in documents._determine_fields_to_fetch(["display_name"])]
            if "company_id" in documents._fields:
                names.append("company_id")
            try:
                documents.fetch(names)
            except AccessError:
                continue

    @api.model
    def _bulk_create(self, vals_list):
        """Insert many events in one statement (the ORM inserts in chunks of a hundred).

        `vals_list` holds plain values: ids, datetimes, "model,id" strings.
        """
        if not vals_list:
            return
        self._add_document_names(vals_list)
        now = fields.Datetime.now()
        names = [name for name, _type in BULK_COLUMNS]
        arrays = [[vals.get(name) or None for vals in vals_list] for name in names]
        unnest = ", ".join(f"%s::{sql_type}[]" for _name, sql_type in BULK_COLUMNS)
        self.env.cr.execute(
            f"""
            INSERT INTO storq_serial_event
                   ({", ".join(names)}, create_uid, create_date, write_uid, write_date)
            SELECT *, %s, %s, %s, %s FROM unnest({unnest})
            """,
            [self.env.uid, now, self.env.uid, now, *arrays],
        )
        self.invalidate_model()
        self.env["stock.lot"].invalidate_model(["storq_event_ids", "storq_event_count"])
