from odoo.tests import TransactionCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """What a newcomer sees with the demo data: a delivered unit and a returned one."""

    def setUp(self):
        super().setUp()
        module = self.env["ir.module.module"].search([("name", "=", "storq_serials")])
        if not module.demo:
            self.skipTest("the database has no demo data (installed with --without-demo)")

    def test_demo_customer_returned_a_defective_laptop_to_repair(self):
        ref = self.env.ref
        order = ref("storq_serials.sale_order_demo_laptops")
        customer = ref("storq_serials.res_partner_demo_customer")
        delivered, returned = ref("storq_serials.lot_laptop_4"), ref("storq_serials.lot_laptop_5")
        delivery = order.picking_ids.filtered(lambda picking: picking.picking_type_code == "outgoing")
        self.assertEqual((order.state, delivery.state), ("sale", "done"))
        self.assertEqual(delivery.move_line_ids.lot_id, delivered | returned)

        self.assertEqual(
            (delivered.storq_state, delivered.storq_partner_id, delivered.storq_sale_id),
            ("delivered", customer, order),
        )
        repair_location = self.env.company.storq_repair_location_id
        self.assertEqual(
            (returned.storq_state, returned.storq_location_id, returned.storq_partner_id),
            ("in_repair", repair_location, self.env["res.partner"]),
        )
        self.assertEqual(order.order_line.qty_delivered, 1, "the order knows a unit came back")

        record = self.env["storq.serial.return.record"].search([("lot_id", "=", returned.id)])
        self.assertEqual(
            (record.reason_id, record.disposition, record.partner_id, record.sale_id),
            (ref("storq_serials.return_reason_defective"), "repair", customer, order),
        )
        self.assertEqual((record.delivery_picking_id, record.return_picking_id.state), (delivery, "done"))
        self.assertEqual(record.disposition_ref.location_dest_id, repair_location)

        events = returned.storq_event_ids.sorted("id")
        self.assertEqual(
            events.mapped("event_type"),
            ["adjusted", "delivered", "warranty_started", "returned", "moved", "claim_opened"],
        )
        self.assertEqual(
            events.filtered(lambda event: event.event_type == "returned").note,
            "Defective: Screen flickers after an hour on battery",
        )
        Report = self.env["storq.return.report"]
        report = Report.search([("lot_id", "=", returned.id), ("kind", "=", "returned")])
        self.assertEqual(report.reason_id, record.reason_id, "Returns Analysis shows the return")

    def test_demo_warranty_claim_and_draft_recall(self):
        ref = self.env.ref
        customer = ref("storq_serials.res_partner_demo_customer")
        delivered, returned = ref("storq_serials.lot_laptop_4"), ref("storq_serials.lot_laptop_5")
        # Laptops carry 24 months from delivery: both units started it when they were delivered.
        self.assertEqual(delivered.storq_warranty_state, "active")
        self.assertEqual(delivered._storq_warranty_coverage(customer)["verdict"], "covered")
        claim = ref("storq_serials.storq_warranty_claim_demo_laptop")
        self.assertEqual(
            (claim.partner_id, claim.lot_id, claim.coverage, claim.state),
            (customer, returned, "covered", "new"),
        )
        recall = ref("storq_serials.storq_recall_demo_phones")
        self.assertEqual(recall.state, "draft")
        phones = self.env["stock.lot"].search(recall._get_units_domain())
        self.assertEqual(
            phones,
            ref("storq_serials.lot_phone_1")
            | ref("storq_serials.lot_phone_2")
            | ref("storq_serials.lot_phone_3"),
        )
