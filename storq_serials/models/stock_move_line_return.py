from odoo import models
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_is_zero


class StockMoveLine(models.Model):
    """Units coming back from a customer are checked when the transfer is validated.

    Whatever made the transfer (the return wizard, Odoo's standard return, an import, RPC),
    a serial-controlled unit may only come back from a customer location when it is the unit
    sold: delivered, to the transfer's customer, on the order or delivery it returns, and not
    returned since. Products outside serial control are not affected.
    """

    _inherit = "stock.move.line"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _action_done(self):
        self._storq_check_customer_returns()
        return super()._action_done()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_customer_return_lines(self):
        return self.filtered(
            lambda line: line.location_id.usage == "customer"
            and line.location_dest_id.usage != "customer"
            and line.product_id.storq_serial_control
            and not float_is_zero(line.quantity, precision_rounding=line.product_uom_id.rounding)
        )

    def _storq_return_claim(self, lot):
        """(lot, customer, order, delivery) that a customer return line claims for its unit."""
        move = self.move_id
        origin = move.origin_returned_move_id
        if origin.picking_code == "dropship":
            # A dropship's partner is its vendor, and its return may keep it: the customer who
            # got the units is on the dropship's moves, as on the unit record.
            partner = origin.partner_id or move.partner_id
        elif self.picking_code == "dropship":
            partner = move.partner_id or self.picking_id.partner_id
        else:
            partner = self.picking_id.partner_id or move.partner_id
        order = move.sale_line_id.order_id or origin.sale_line_id.order_id
        delivery = origin.picking_id if origin and not order else self.env["stock.picking"]
        return lot, partner, order, delivery

    def _storq_check_customer_returns(self):
        """Refuse the lines that bring back a unit which is not the one sold; log the attempts."""
        lines = self._storq_customer_return_lines()
        if not lines:
            return
        Lot = self.env["stock.lot"]
        # Serials typed on the return: the unit must already exist, under its normalised name.
        by_name = {}
        named = lines.filtered(lambda line: not line.lot_id and line.lot_name)
        if named:
            validation = self.env["storq.serial.validation"]
            names = {validation._normalize(line.product_id, line.lot_name) for line in named}
            for lot in Lot.sudo().search(
                [("name", "in", list(names)), ("product_id", "in", named.product_id.ids)]
            ):
                by_name[(lot.product_id.id, lot.name)] = lot
        companies = Lot._storq_unit_companies(lines.lot_id | Lot.union(*by_name.values()))
        claims, claim_lines, unknown, foreign = [], [], [], []
        for line in lines:
            lot = line.lot_id
            if not lot and line.lot_name:
                serial = self.env["storq.serial.validation"]._normalize(line.product_id, line.lot_name)
                lot = by_name.get((line.product_id.id, serial), Lot)
            if not lot:
                unknown.append(line)
                continue
            if companies[lot.id] not in (line.company_id, line.company_id.browse()):
                foreign.append(line)
                continue
            claims.append(line._storq_return_claim(lot.sudo()))
            claim_lines.append(line)
        refusals = Lot._storq_return_refusals(claims)
        problems = [
            (
                line,
                self.env._("%(serial)s is not a known unit: it was never delivered.", serial=line.lot_name),
            )
            for line in unknown
        ]
        problems += [
            (
                line,
                self.env._(
                    "%(serial)s is a unit of another company: it cannot come back to %(company)s.",
                    serial=line.lot_id.name or line.lot_name,
                    company=line.company_id.name,
                ),
            )
            for line in foreign
        ]
        suspicious = []
        for line, claim, refusal in zip(claim_lines, claims, refusals):
            if not refusal:
                continue
            problems.append((line, refusal))
            lot, partner, order, delivery = claim
            suspicious.append(
                Lot._storq_prepare_suspicious_return_vals(
                    lot, partner, refusal, document=line.picking_id or order or delivery
                )
            )
        if not problems:
            return
        Lot._storq_log_suspicious_returns(suspicious, after_transaction=True)
        raise UserError(
            self.env._(
                "These units cannot be taken back from the customer: a unit comes back only when "
                "it is the one that was delivered to this customer, on this order, and not "
                "returned since.\n%(lines)s\nCheck the serials of the units received; the "
                "attempt is recorded in their history.",
                lines=self._storq_list_refusals(problems),
            )
        )
