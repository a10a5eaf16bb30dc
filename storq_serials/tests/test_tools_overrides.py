import gc

from odoo.tests import BaseCase

from ..tools import overrides
from ..tools.overrides import forget
from ..tools.overrides import is_overridden


class OdooBase:
    _module = "stock"

    def _gather(self):
        return "odoo"


def module_class(module, base, **methods):
    """A class as a module's `_inherit` gives Odoo: it names its module."""
    return type(f"{module}_class", (base,), {"_module": module, **methods})


def registry_class(*bases):
    """The class Odoo's registry builds on top of the modules' classes: it names none."""
    return type("registry_class", bases, {})


class TestToolsOverrides(BaseCase):
    def test_only_odoos_method_is_not_overridden(self):
        ours = module_class("storq_serials", OdooBase, _gather=lambda self: "ours")
        self.assertFalse(is_overridden(registry_class(ours), OdooBase, "_gather", ("storq_serials",)))
        self.assertTrue(is_overridden(registry_class(ours), OdooBase, "_gather"))
        self.assertFalse(is_overridden(registry_class(ours), OdooBase, "create"))

    def test_another_modules_override_counts_before_or_after_ours(self):
        known = ("storq_serials",)
        other_first = module_class("other", OdooBase, _gather=lambda self: "other")
        ours_last = module_class("storq_serials", other_first, _gather=lambda self: "ours")
        self.assertTrue(is_overridden(registry_class(ours_last), OdooBase, "_gather", known))
        ours_first = module_class("storq_serials", OdooBase, _gather=lambda self: "ours")
        other_last = module_class("other", ours_first, _gather=lambda self: "other")
        self.assertTrue(is_overridden(registry_class(other_last), OdooBase, "_gather", known))
        # A module of the hierarchy that does not override the method changes nothing.
        silent = module_class("other", ours_first)
        self.assertFalse(is_overridden(registry_class(silent), OdooBase, "_gather", known))

    def test_known_modules_and_the_registry_class(self):
        other = module_class("stock_account", OdooBase, _gather=lambda self: "valued")
        self.assertTrue(is_overridden(registry_class(other), OdooBase, "_gather", ("storq_serials",)))
        self.assertFalse(
            is_overridden(registry_class(other), OdooBase, "_gather", ("storq_serials", "stock_account"))
        )
        # A method set on the registry's class (a patch) counts as another module's.
        patched = type("registry_class", (other,), {"_gather": lambda self: "patched"})
        self.assertTrue(is_overridden(patched, OdooBase, "_gather", ("stock_account",)))

    def test_unrelated_base_steps_aside(self):
        class Unrelated:
            pass

        self.assertTrue(is_overridden(registry_class(OdooBase), Unrelated, "_gather"))

    def test_answers_kept_per_class_until_forgotten(self):
        cls = registry_class(module_class("storq_serials", OdooBase))
        self.assertFalse(is_overridden(cls, OdooBase, "_gather"))
        cls._gather = lambda self: "patched"
        self.assertFalse(is_overridden(cls, OdooBase, "_gather"), "the answer is kept for the class")
        forget(cls)
        self.assertTrue(is_overridden(cls, OdooBase, "_gather"))
        del cls
        gc.collect()
        self.assertFalse(
            [kept for kept in overrides._ANSWERS if kept.__name__ == "registry_class"],
            "a class no registry holds is not kept alive",
        )
