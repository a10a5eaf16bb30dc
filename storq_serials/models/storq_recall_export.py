import base64

from odoo import fields
from odoo import models
from odoo.tools.misc import split_every

from ..tools.recall_export import rows_to_csv
from ..tools.recall_export import rows_to_xlsx

# Lines read per query while exporting a large recall.
EXPORT_BATCH = 5000
EXPORT_FORMATS = {
    "csv": ("text/csv", rows_to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", rows_to_xlsx),
}


class StorqRecall(models.Model):
    """The recall's units as a file for regulators and suppliers (CSV or XLSX), attached to the
    recall and downloaded."""

    _inherit = "storq.recall"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_export_csv(self):
        return self._storq_export_action("csv")

    def action_export_xlsx(self):
        return self._storq_export_action("xlsx")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_export_action(self, file_format):
        self.ensure_one()
        attachment = self._storq_export_attachment(file_format)
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _storq_export_attachment(self, file_format):
        mimetype, writer = EXPORT_FORMATS[file_format]
        self.check_access("read")
        header, rows = self._storq_export_rows()
        stamp = fields.Datetime.context_timestamp(self, fields.Datetime.now()).strftime("%Y%m%d-%H%M")
        name = f"{self.name.replace('/', '-')}-units-{stamp}.{file_format}"
        # Readers of the recall export it: attaching a file needs write access, not downloading it.
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "datas": base64.b64encode(writer(header, rows)),
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
            .sudo(False)
        )

    def _storq_export_header(self):
        return [
            self.env._("Recall"),
            self.env._("Serial"),
            self.env._("Product"),
            self.env._("Internal reference"),
            self.env._("Situation at confirmation"),
            self.env._("Location at confirmation"),
            self.env._("Customer"),
            self.env._("Status"),
            self.env._("Resolution"),
            self.env._("Notified on"),
            self.env._("Acknowledged on"),
            self.env._("Returned on"),
            self.env._("Resolved on"),
            self.env._("Note"),
        ]

    def _storq_export_rows(self):
        """(header, rows) for every line of the recall, read in batches."""
        Line = self.env["storq.recall.line"]
        situations = dict(Line._fields["situation"]._description_selection(self.env))
        states = dict(Line._fields["state"]._description_selection(self.env))
        resolutions = dict(Line._fields["resolution"]._description_selection(self.env))

        def date(value):
            return fields.Datetime.to_string(value) if value else ""

        rows = []
        line_ids = Line.search([("recall_id", "=", self.id)], order="product_id, id").ids
        for batch in split_every(EXPORT_BATCH, line_ids):
            lines = Line.browse(batch)
            for line in lines:
                rows.append(
                    [
                        self.name,
                        line.lot_id.name,
                        line.product_id.display_name,
                        line.product_id.default_code or "",
                        situations.get(line.situation, ""),
                        line.location_id.display_name or "",
                        line.partner_id.display_name or "",
                        states.get(line.state, ""),
                        resolutions.get(line.resolution, ""),
                        date(line.date_notified),
                        date(line.date_acknowledged),
                        date(line.date_returned),
                        date(line.date_resolved),
                        line.outcome_note or "",
                    ]
                )
            lines.invalidate_recordset()
        return self._storq_export_header(), rows
