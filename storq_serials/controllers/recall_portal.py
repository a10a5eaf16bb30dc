from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import AccessError
from odoo.exceptions import MissingError
from odoo.http import request


class RecallPortal(CustomerPortal):
    """The customer's side of a recall: their notice with their units, where they acknowledge
    it and ask for the return. Reached with the notice's token (the link in the mail) or as the
    portal user of the customer."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "recall_count" in counters:
            Notice = request.env["storq.recall.notice"]
            values["recall_count"] = Notice.search_count([]) if Notice.has_access("read") else 0
        return values

    @http.route(["/my/recalls"], type="http", auth="user", website=True)
    def portal_my_recalls(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "notices": request.env["storq.recall.notice"].search([]).sudo(),
                "page_name": "storq_recalls",
            }
        )
        return request.render("storq_serials.portal_my_recalls", values)

    @http.route(["/my/recalls/<int:notice_id>"], type="http", auth="public", website=True)
    def portal_recall_notice(self, notice_id, access_token=None, **kw):
        try:
            notice = self._document_check_access("storq.recall.notice", notice_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(notice, access_token, {}, "my_recalls_history", False, **kw)
        values.update({"notice": notice, "page_name": "storq_recall", "lines": notice.line_ids})
        return request.render("storq_serials.portal_recall_notice", values)

    @http.route(
        ["/my/recalls/<int:notice_id>/answer"], type="http", auth="public", methods=["POST"], website=True
    )
    def portal_recall_answer(self, notice_id, access_token=None, answer=None, **kw):
        """The customer acknowledges the notice (`answer=acknowledge`) or asks for the return
        (`answer=return`)."""
        try:
            notice = self._document_check_access("storq.recall.notice", notice_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        states = {"acknowledge": "acknowledged", "return": "return_requested"}
        if answer in states and notice.recall_id.state == "confirmed":
            if not (answer == "acknowledge" and notice.state in ("acknowledged", "return_requested")):
                notice._storq_customer_answer(states[answer])
        query = f"?access_token={access_token}" if access_token else ""
        return request.redirect(f"/my/recalls/{notice.id}{query}")
