"""odoo-bin for the load test, without the long-polling (gevent) process.

In prefork mode (``--workers``) Odoo also spawns ``odoo-bin gevent`` for the bus's websockets,
which the scanners' JSON-RPC calls do not use. In a virtualenv where gevent's plugin entry
points cannot load (``zope.interface`` installed without its distribution metadata) that
process dies at start and is respawned every few seconds, each time importing Odoo: CPU taken
from the workers being measured. Usage: as odoo-bin (scripts/load_test.sh runs it).
"""

import os
import sys

os.environ["TZ"] = "UTC"  # as odoo-bin: before the time module is imported

import odoo
from odoo.service import server

if __name__ == "__main__":
    server.PreforkServer.long_polling_spawn = lambda self: None
    sys.exit(odoo.cli.main())
