from odoo import api
from odoo import models

from ..tools.limits import without_nul


class StorqSerialWizardMixin(models.AbstractModel):
    """What the serial wizards share: they check in place and show their verdicts again."""

    _name = "storq.serial.wizard.mixin"
    _description = "Serial Wizard Mixin"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # A NUL pasted with the serials cannot be stored: removed rather than a traceback.
        return super().create([without_nul(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(without_nul(vals))

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _reopen(self):
        """The action that shows this wizard again, with the verdicts its last step wrote."""
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": self._storq_wizard_title(),
            # The wizard was opened from a document: reopening must not be read as a new start.
            "context": dict(self.env.context, active_model=False, active_id=False),
        }

    def _storq_wizard_title(self):
        return self._description
