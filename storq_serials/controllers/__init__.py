from . import portal
from . import recall_portal
