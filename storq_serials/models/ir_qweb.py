from lxml import etree

from odoo import models

# Raw templates compiled once per process, by source and compile options; a handful at most
# (the recall notice in its languages), cleared past this many.
COMPILED_LIMIT = 32
_compiled = {}


class IrQweb(models.AbstractModel):
    """Compile a raw template once for a batch of records.

    Odoo renders a mail template's body for each record by compiling its source anew (an
    `etree`, not a view, so none of QWeb's caches applies): 48 ms of Python per recall notice,
    half of a batch of 200 notices (docs/benchmarks.md). With `storq_compile_once` in the
    context, the compiled template is kept by its source and by the context keys QWeb's own
    cache of views uses (language, branding...), plus the restricted-rendering check, which
    compilation applies. Any edit of the template changes its source, hence the key.
    """

    _inherit = "ir.qweb"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _compile(self, template):
        if not (self.env.context.get("storq_compile_once") and isinstance(template, etree._Element)):
            return super()._compile(template)
        key = (
            self.env.cr.dbname,
            etree.tostring(template),
            tuple(self.env.context.get(name) for name in self._get_template_cache_keys()),
            self.env.context.get("raise_on_forbidden_code_for_model"),
        )
        compiled = _compiled.get(key)
        if compiled is None:
            compiled = super()._compile(template)
            if len(_compiled) >= COMPILED_LIMIT:
                _compiled.clear()
            _compiled[key] = compiled
        return compiled
