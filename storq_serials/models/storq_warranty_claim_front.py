from odoo import api
from odoo import models


class StorqWarrantyClaim(models.Model):
    """Claims as staff reach them from customers, orders and units, and customers from the portal."""

    _inherit = "storq.warranty.claim"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _storq_claims_action(self, name, domain, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id("storq_serials.storq_warranty_claim_action")
        action.update({"name": name, "domain": domain, "context": context or {}})
        return action

    @api.model
    def _storq_portal_claim_vals(self, partner, lot, description):
        """A claim opened by `partner` on the portal: its responsible is the customer's
        salesperson (never the portal user, the default responsible of a claim)."""
        partner = partner.sudo()  # the portal user's own partner, read for its salesperson
        responsible = (partner.user_id | partner.commercial_partner_id.user_id).filtered(
            lambda user: not user.share and user.active
        )[:1]
        return {
            "partner_id": partner.id,
            "lot_id": lot.id,
            "description": description,
            "user_id": responsible.id,
        }

    def _storq_notify_portal_claim(self):
        """Tell staff a customer opened these claims on the portal: a to-do for the responsible,
        else the sales team's leader, else a sales manager of the claim's company (a claim
        must never wait unseen); a message to the followers when the company has none."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for claim in self:
            summary = self.env._(
                "Claim %(claim)s opened by %(customer)s on the portal",
                claim=claim.name,
                customer=claim.partner_id.display_name,
            )
            user = claim.user_id or claim.team_id.user_id or claim._storq_claim_manager()
            if user and todo:
                claim.activity_schedule(activity_type_id=todo.id, summary=summary, user_id=user.id)
            else:
                claim.message_post(body=summary, subtype_xmlid="mail.mt_comment")

    def _storq_claim_manager(self):
        """An internal user who approves claims in the claim's company (a sales manager)."""
        self.ensure_one()
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", self.env.ref("sales_team.group_sale_manager").id),
                    ("share", "=", False),
                    ("company_ids", "in", self.company_id.id),
                ],
                order="id",
                limit=1,
            )
        )
