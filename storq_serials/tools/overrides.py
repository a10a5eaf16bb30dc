"""Whether an Odoo method is still Odoo's own in a registry's class.

The batch paths stand in for some of Odoo's methods (a quant's `write`, `_gather`,
`stock_account`'s outgoing lines, ...) for many records at once. That is only right while no
other installed module overrides the method: its override must then run, and the batch steps
aside. Odoo builds one class per model and registry, with each module's class in its method
resolution order, so the answer is read off the hierarchy once per registry class and kept
for as long as that class lives.
"""

import weakref

# Registry class -> {(Odoo's class, method, modules known): answer}
_ANSWERS = weakref.WeakKeyDictionary()


def is_overridden(registry_class, base_class, method, known_modules=()):
    """Whether a class of `registry_class`'s hierarchy that comes before Odoo's `base_class`
    defines `method`, other than those of `known_modules` (names of the modules whose
    overrides are known to keep the batch right, such as this one's).

    A class counts as its own module's only when it names that module itself (`_module`): the
    registry's class, or a method patched onto it, counts as another module. When `base_class`
    is not in the hierarchy, nothing shows the method is Odoo's own: the answer is True.
    """
    answers = _ANSWERS.setdefault(registry_class, {})
    key = (base_class, method, frozenset(known_modules))
    if key not in answers:
        answers[key] = _walk(registry_class, base_class, method, key[2])
    return answers[key]


def forget(registry_class):
    """Drop the answers kept for `registry_class` (after its methods were patched in a test)."""
    _ANSWERS.pop(registry_class, None)


def _walk(registry_class, base_class, method, known_modules):
    for cls in registry_class.__mro__:
        if cls is base_class:
            return False
        if method in vars(cls) and vars(cls).get("_module") not in known_modules:
            return True
    return True
