from . import storq_return_report
from . import storq_warranty_claim_report
