from . import controllers
from . import models
from . import report
from . import wizard


def post_init_hook(env):
    """Give units that existed before the module their record and history, and companies a repair location."""
    env["stock.lot"]._storq_rebuild_unit_records()
    # Where returned units sent to repair go, one per company with a warehouse.
    for company in env["res.company"].search([]):
        company._storq_get_repair_location()
