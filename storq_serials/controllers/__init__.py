from . import recall_portal
