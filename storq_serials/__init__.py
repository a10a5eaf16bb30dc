from . import models
from . import wizard


def post_init_hook(env):
    """Give units that existed before the module their record and history."""
    env["stock.lot"]._storq_rebuild_unit_records()
