from . import stock_return_picking
from . import storq_serial_bulk_entry
from . import storq_serial_bulk_entry_line
from . import storq_serial_label_print
from . import storq_serial_pick
from . import storq_serial_return
from . import storq_serial_return_line
from . import storq_unit_block
