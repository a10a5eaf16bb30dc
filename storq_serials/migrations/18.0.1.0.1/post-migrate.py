"""18.0.1.0.1: history events store their document's name (`document_name`), which the unit's
history shows without reading the documents; fill it for the events written before."""

from odoo import SUPERUSER_ID
from odoo import api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["storq.serial.event"]._storq_fill_document_names()
