"""What the per-request benchmarks (scan, history, hygiene) share: a request's cold ORM cache,
its timing and queries, percentiles, and the `web_read` specification the web client sends
when it opens a form.
"""

import argparse
import statistics
import sys
import time

from lxml import etree

import odoo
from odoo import api

# The list limit of a one2many shown in a form, when its list says none (the web client's).
X2MANY_LIMIT = 40


def percentile(values, share):
    """The nearest-rank percentile `share` (0.95 for p95) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def parse_args(doc, samples, rebuilds=None):
    """The command line every script takes: --database DB [--samples N] [--seed S] -- <odoo args>
    (and --rebuilds R when `rebuilds` is given)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--samples", type=int, default=samples, help=f"measured calls (default {samples})")
    parser.add_argument("--seed", type=int, default=7)
    if rebuilds is not None:
        parser.add_argument(
            "--rebuilds", type=int, default=rebuilds, help=f"measured rebuilds (default {rebuilds})"
        )
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    return args


def user_env(cr, uid=2):
    """The environment of a request of the user `uid` (the administrator by default, a real user
    with the record rules of his companies), with his context (language, time zone)."""
    env = api.Environment(cr, uid, {})
    return env(context=env["res.users"].context_get())


def start_request(env):
    """Empty the ORM cache as a new request starts with; read what every request has read
    already before reaching the method (the user and his companies, for the record rules)."""
    env.flush_all()
    env.invalidate_all()
    _ = env.user.company_ids.ids
    _ = env.company.name


def timed(env, function, *args, **kwargs):
    """(result, seconds, queries) of one call, its pending writes flushed as the request's end would."""
    count, start = env.cr.sql_log_count, time.perf_counter()
    result = function(*args, **kwargs)
    env.flush_all()
    return result, time.perf_counter() - start, env.cr.sql_log_count - count


def query_range(queries):
    """`emit`'s queries: an int when every run made as many, else [min, max]."""
    low, high = min(queries), max(queries)
    return low if low == high else [low, high]


def summary_row(label, times, queries, extra=""):
    """A row of the printed table: p50, p95, max in ms, queries min-max."""
    low, high = min(queries), max(queries)
    return (
        f"| {label} | {len(times)} | {statistics.median(times) * 1000:.1f} | "
        f"{percentile(times, 0.95) * 1000:.1f} | {max(times) * 1000:.1f} | "
        f"{low if low == high else f'{low}-{high}'} | {extra} |"
    )


TABLE_HEADER = (
    "| case | calls | p50 ms | p95 ms | max ms | queries per call | notes |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
)


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------
# The web client's web_read specification of a form view
# ----------------------------------------------------------------------
def form_spec(model, view_id=False, keep=None):
    """The `web_read` specification the web client sends to open a record in the form view
    `view_id` (the default form when False), as `getFieldsSpec` builds it: every field of the
    view, a many2one/reference with its display name (unless always invisible), a one2many or
    many2many with the fields of its list and the list's limit (40 by default).

    `keep(field_name)` filters the top-level fields (the plain Odoo comparison keeps Odoo's own).
    """
    views = model.get_views([(view_id, "form")])
    arch = etree.fromstring(views["views"]["form"]["arch"])
    spec = _node_spec(arch, model._name, views["models"])
    spec["display_name"] = {}  # the breadcrumb
    if keep:
        spec = {name: value for name, value in spec.items() if name == "display_name" or keep(name)}
    return spec


def _own_fields(node):
    """The <field> nodes of `node` that are not inside another <field> (a subview)."""
    found = []
    for child in node.iterchildren():
        if not isinstance(child.tag, str):
            continue
        if child.tag == "field":
            found.append(child)
        else:
            found.extend(_own_fields(child))
    return found


def _node_spec(node, model_name, models_info):
    fields_info = models_info.get(model_name, {}).get("fields", {})
    spec = {}
    for field_node in _own_fields(node):
        name = field_node.get("name")
        info = fields_info.get(name)
        if not info:
            continue
        always_invisible = field_node.get("invisible") in ("1", "True")
        field_spec = spec.setdefault(name, {})
        kind = info["type"]
        if kind in ("many2one", "reference"):
            field_spec.setdefault("fields", {})
            if not always_invisible:
                field_spec["fields"]["display_name"] = {}
        elif kind in ("one2many", "many2many"):
            subview = next(
                (child for child in field_node.iterchildren() if child.tag in ("list", "kanban")), None
            )
            if always_invisible:
                continue
            if subview is not None:
                field_spec["fields"] = _node_spec(subview, info["relation"], models_info)
                field_spec["limit"] = int(subview.get("limit", X2MANY_LIMIT))
                if subview.get("default_order"):
                    field_spec["order"] = subview.get("default_order")
            elif field_node.get("widget") in ("many2many_tags", "many2many_checkboxes"):
                field_spec["fields"] = {"display_name": {}}
    return spec
