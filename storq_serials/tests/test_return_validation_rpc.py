from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestReturnValidationOverRpc(HttpCase, StorqReturnsCase):
    """A return refused over RPC: the request's transaction is rolled back, the attempt stays."""

    def test_refused_validation_keeps_the_attempt_after_the_rollback(self):
        lots = self._receive(["RPC0001", "RPC0002"])
        order = self._sell(self.customer, lots[:1])
        self._sell(self.other_customer, lots[1:])
        picking = self._standard_return(order.picking_ids, lots[1:])
        self.authenticate("admin", "admin")
        # Not assertRaises: Odoo's rolls back what the block wrote, the attempt included.
        try:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/stock.picking/button_validate",
                {"model": "stock.picking", "method": "button_validate", "args": [picking.ids], "kwargs": {}},
            )
        except JsonRpcException as refusal:
            self.assertEqual(refusal.args[0], "odoo.exceptions.UserError")
        else:
            self.fail("validating a return of another customer's unit must be refused")
        self.env.invalidate_all()
        self.assertNotEqual(picking.state, "done", "the refused validation was rolled back")
        self.assertEqual(lots[1].storq_state, "delivered")
        # Written by the hook, in a transaction of its own, once the request's one was rolled back.
        event = self._suspicious(lots)
        self.assertEqual(
            (event.lot_id, event.partner_id, event.document_ref), (lots[1], self.customer, picking)
        )
        self.assertIn("sold to another customer", event.note)
