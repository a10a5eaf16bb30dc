"""A unit's history names the document of each event (transfers, scraps, claims, recalls,
audits, orders, invoices, partners): read in a constant number of queries whatever kinds of
documents it names (issue 13: the unit's part of its form in at most 10), each event with its
own document, named as it was when the event happened."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import StorqSerialsCase
from .test_scale_query_counts import UNIT_HISTORY_QUERIES
from .test_scale_query_counts import bench_requests
from .test_scale_query_counts import imeis

# Queries of the module's part of the unit form (its record, its history, the names they show)
# for a unit naming a record of every kind it can: within issue 13's bound.
HISTORY_QUERIES = 9
assert HISTORY_QUERIES <= UNIT_HISTORY_QUERIES
# Queries of the unit form's web_read (Odoo's lot form and the module's fields), from a cold
# cache, for that unit (plain Odoo's own form: 17 to 24 on the benchmark database).
UNIT_FORM_QUERIES = 19


@tagged("post_install", "-at_install", "is_query_count")
class TestUnitHistoryDocuments(StorqSerialsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["storq.serial.event"]
        cls.customer = cls.env["res.partner"].create({"name": "History customer"})
        cls.documents = cls._one_document_per_kind()
        requests = bench_requests()
        cls.form_spec = requests.form_spec(cls.Lot)
        cls.history_spec = requests.form_spec(cls.Lot, keep=lambda name: name.startswith("storq_"))

    @classmethod
    def _one_document_per_kind(cls):
        """A record of every model an event can point to, two of the transfers."""
        env = cls.env
        product = env["product.product"].create({"name": "History part", "is_storable": True})
        created = {
            "stock.scrap": lambda: env["stock.scrap"].create({"product_id": product.id, "scrap_qty": 1}),
            "stock.move": lambda: env["stock.move"].create(
                {
                    "name": "History move",
                    "product_id": product.id,
                    "product_uom_qty": 1,
                    "location_id": cls.stock_location.id,
                    "location_dest_id": cls.customer_location.id,
                }
            ),
            "purchase.order": lambda: env["purchase.order"].create({"partner_id": cls.customer.id}),
            "sale.order": lambda: env["sale.order"].create({"partner_id": cls.customer.id}),
            "res.partner": lambda: cls.customer,
            "account.move": lambda: env["account.move"].create({"move_type": "entry"}),
            "storq.recall": lambda: env["storq.recall"].create({"title": "History recall"}),
            "storq.serial.audit": lambda: env["storq.serial.audit"].create(
                {"location_id": cls.stock_location.id}
            ),
        }
        documents = []
        for model_name, _label in cls.env["storq.serial.event"]._selection_document_ref():
            if model_name == "stock.picking":
                pickings = cls.env["stock.picking"].create(
                    [
                        {
                            "picking_type_id": cls.receipt_type.id,
                            "location_id": cls.supplier_location.id,
                            "location_dest_id": cls.stock_location.id,
                        }
                        for _index in range(2)
                    ]
                )
                documents.extend(pickings)
            elif model_name in created:
                documents.append(created[model_name]())
            else:  # the claims: the demo data's
                documents.append(env[model_name].search([], limit=1))
        assert all(documents), "a document of every kind"
        return documents

    def _unit_with_history(self, serial, size):
        """A unit with `size` events, each on the next document of `self.documents` (every
        kind within the first 12 events), every thirteenth on none; as the module writes them."""
        unit = self._create_lots(self.phone, [serial])
        # A unit record naming a record of every kind it can (as a delivered unit's does).
        pickings = [document for document in self.documents if document._name == "stock.picking"]
        unit.write(
            {
                "storq_state": "delivered",
                "storq_location_id": self.customer_location.id,
                "storq_partner_id": self.customer.id,
                "storq_supplier_id": self.env.ref("base.res_partner_2").id,
                "storq_sale_id": self._document("sale.order").id,
                "storq_purchase_id": self._document("purchase.order").id,
                "storq_receipt_picking_id": pickings[0].id,
                "storq_delivery_picking_id": pickings[1].id,
            }
        )
        now = fields.Datetime.now()
        self.Event.sudo()._bulk_create(
            [
                {
                    "lot_id": unit.id,
                    "product_id": self.phone.id,
                    "company_id": self.company.id,
                    "event_type": "note",
                    "date": now - timedelta(days=1, minutes=size - index),
                    "note": f"note {index}",
                    "user_id": self.env.uid,
                    "partner_id": self.customer.id,
                    "location_id": self.stock_location.id,
                    "document_ref": self._ref(self.documents[index % len(self.documents)])
                    if index % 13 != 12
                    else None,
                }
                for index in range(size)
            ]
        )
        return unit

    def _document(self, model_name):
        return next(document for document in self.documents if document._name == model_name)

    def _ref(self, document):
        return f"{document._name},{document.id}"

    def _request(self):
        """A new request's cold cache, with what every request has read already."""
        self.env.flush_all()
        self.env.invalidate_all()
        _ = self.env.user.company_ids.ids
        _ = self.env.company.name

    def _shown_documents(self, unit):
        """{note: (model, id, name)} of the unit's history as its form shows it (page of 40)."""
        self._request()
        [values] = unit.web_read(self.history_spec)
        return {
            event["note"]: event["document_ref"]
            and (
                event["document_ref"]["id"]["model"],
                event["document_ref"]["id"]["id"],
                event["document_ref"]["display_name"],
            )
            for event in values["storq_event_ids"]
            if "note" in event
        }

    def _expected_documents(self, unit):
        return {
            event.note: bool(event.document_ref)
            and (event.document_ref._name, event.document_ref.id, event.document_ref.display_name)
            for event in unit.storq_event_ids
        }

    # ------------------------------------------------------------------
    # Query counts
    # ------------------------------------------------------------------
    def test_history_of_every_kind_of_document_in_constant_queries(self):
        kinds = {document._name for document in self.documents}
        short = self._unit_with_history(imeis(1, 60000)[0], 13)
        long = self._unit_with_history(imeis(1, 60001)[0], 60)
        for unit in (short, long):
            self.assertEqual(
                {event.document_ref._name for event in unit.storq_event_ids if event.document_ref}, kinds
            )
        # As the administrator (the benchmark's user): his record rules are read and checked.
        admin_env = self.env(user=self.env.ref("base.user_admin"))
        self._request()
        short.with_env(admin_env).web_read(self.form_spec)  # warm the caches (record rules, selections)
        long.with_env(admin_env).web_read(self.form_spec)
        for unit in (short, long):
            unit = unit.with_env(admin_env)
            self._request()
            with self.assertQueryCount(HISTORY_QUERIES):
                [values] = unit.web_read(self.history_spec)
            self._request()
            with self.assertQueryCount(UNIT_FORM_QUERIES):
                unit.web_read(self.form_spec)
        self.assertEqual(len(values["storq_event_ids"]), 60)
        shown = [event for event in values["storq_event_ids"] if "note" in event]
        self.assertEqual(len(shown), 40, "the page of 40 read")
        self.assertEqual(
            {event["document_ref"]["id"]["model"] for event in shown if event["document_ref"]}, kinds
        )

    # ------------------------------------------------------------------
    # The right document for each event
    # ------------------------------------------------------------------
    def test_each_event_shows_its_own_document(self):
        unit = self._unit_with_history(imeis(1, 60002)[0], 30)
        shown = self._shown_documents(unit)
        self.assertEqual(len(shown), 30)
        for index in range(30):
            document = self.documents[index % len(self.documents)] if index % 13 != 12 else None
            expected = (document._name, document.id, document.display_name) if document else False
            self.assertEqual(shown[f"note {index}"], expected, f"event {index}")
        # The events read on their own (a list of events), in one query.
        events = unit.storq_event_ids
        self._request()
        with self.assertQueryCount(1):
            values = events.web_read({"note": {}, "document_ref": {"fields": {"display_name": {}}}})
        self.assertEqual(set(values[0]), {"id", "note", "document_ref"})
        self.assertEqual(
            {
                event["note"]: event["document_ref"] and event["document_ref"]["display_name"]
                for event in values
            },
            {note: document and document[2] for note, document in shown.items()},
        )

    def test_renamed_document_keeps_its_name_of_the_event(self):
        """The history tells what happened as it was named then (as the chatter's tracked
        values do); the event still opens the document itself."""
        picking = self.documents[0]
        old_name = picking.name
        unit = self._unit_with_history(imeis(1, 60003)[0], 1)
        picking.name = "WH/IN/RENAMED"
        self.assertEqual(self._shown_documents(unit)["note 0"], ("stock.picking", picking.id, old_name))

    def test_events_written_before_the_names_read_their_documents(self):
        """Events written without a stored name (before 18.0.1.0.1, or by SQL) show their
        documents' names as read, until the migration stores them."""
        unit = self._unit_with_history(imeis(1, 60004)[0], 14)
        self.env.flush_all()
        self.env.cr.execute("UPDATE storq_serial_event SET document_name = NULL WHERE lot_id = %s", [unit.id])
        self.Event.invalidate_model(["document_name"])
        self.assertEqual(self._shown_documents(unit), self._expected_documents(unit))
        self.assertGreaterEqual(self.Event._storq_fill_document_names(), len(self.documents))
        events = self.Event.search([("lot_id", "=", unit.id), ("document_ref", "!=", False)])
        self.assertEqual(
            {event.document_name for event in events}, {document.display_name for document in self.documents}
        )
        self.assertEqual(self._shown_documents(unit), self._expected_documents(unit))

    def test_document_of_a_kind_the_user_may_not_read(self):
        """A stock user sees the unit's history; the documents of a kind he may not read are
        named as Odoo names them (not their stored name)."""
        user = self._make_user("history_stock_user", "stock.group_stock_user,storq_serials.group_storq_user")
        unit = self._unit_with_history(imeis(1, 60005)[0], 12)
        hidden = {
            document._name
            for document in self.documents
            if not document.with_user(user).browse().has_access("read")
        }
        self.assertTrue(hidden, "a kind of document a stock user may not read")
        self._request()
        [values] = unit.with_user(user).web_read(self.history_spec)
        for event in values["storq_event_ids"]:
            document = event["document_ref"]
            if document and document["id"]["model"] in hidden:
                self.assertEqual(document["display_name"], "You don't have access to this record")
            elif document:
                self.assertEqual(
                    document["display_name"],
                    self.env[document["id"]["model"]].browse(document["id"]["id"]).display_name,
                )

    # ------------------------------------------------------------------
    # The form's counts, read together
    # ------------------------------------------------------------------
    def test_claim_and_recall_counts_read_together(self):
        """The Claims and Recalls buttons count what the user may read, in one query."""
        Claim, RecallLine = self.env["storq.warranty.claim"], self.env["storq.recall.line"]
        recalled = self._create_lots(self.phone, imeis(2, 60006))
        RecallLine.create(
            [
                {
                    "recall_id": self._document("storq.recall").id,
                    "company_id": self.company.id,
                    "lot_id": unit.id,
                    "product_id": self.phone.id,
                    "situation": "in_stock",
                }
                for unit in recalled
            ]
        )
        units = Claim.search([]).lot_id | recalled | self._create_lots(self.phone, imeis(1, 60008))
        self.assertTrue(Claim.search([]), "the demo data's claims")
        units = units.with_user(self.env.ref("base.user_admin"))
        units.mapped("storq_claim_count")  # warm the caches (the administrator's record rules)
        self._request()
        units.fetch(["name"])
        with self.assertQueryCount(1):
            counts = [(unit.storq_claim_count, unit.storq_recall_count) for unit in units]
        expected = [
            (
                Claim.search_count([("lot_id", "=", unit.id)]),
                RecallLine.search_count([("lot_id", "=", unit.id)]),
            )
            for unit in units
        ]
        self.assertEqual(counts, expected)
        self.assertEqual(expected[-1], (0, 0))
        # Users without the serial groups: what they may read, nothing of a model they may not.
        for login, groups in (
            ("history_stock", "stock.group_stock_user"),
            ("history_employee", "base.group_user"),
        ):
            user = self._make_user(login, groups)
            self._request()
            for field_name, Model in (("storq_claim_count", Claim), ("storq_recall_count", RecallLine)):
                Model = Model.with_user(user)
                readable = Model.browse().has_access("read")
                expected = [
                    Model.search_count([("lot_id", "=", unit.id)]) if readable else 0 for unit in units
                ]
                self.assertEqual(units.with_user(user).mapped(field_name), expected, (login, field_name))

    def test_every_writer_stores_the_document_name(self):
        """The module's three ways of writing events store the document's name with each."""
        units = self._create_lots(self.phone, imeis(3, 60010))
        audit, recall = self._document("storq.serial.audit"), self._document("storq.recall")
        units[0]._storq_log_events("audited", "counted", audit)
        self.Event.sudo().create(
            {
                "lot_id": units[1].id,
                "product_id": self.phone.id,
                "event_type": "note",
                "document_ref": self._ref(self.documents[0]),
            }
        )
        recall.sudo()._storq_block_units(units[2], "Hinge cracks")
        self.env.flush_all()
        self.env.invalidate_all()
        named = {
            (event.lot_id, event.document_ref): event.document_name
            for event in self.Event.search([("lot_id", "in", units.ids)])
        }
        self.assertEqual(
            named,
            {
                (units[0], audit): audit.display_name,
                (units[1], self.documents[0]): self.documents[0].name,
                (units[2], recall): recall.display_name,
            },
        )
