from . import storq_return_report
