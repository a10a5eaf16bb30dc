from collections import defaultdict
from typing import NamedTuple

from odoo import api
from odoo import models
from odoo.exceptions import ValidationError

from ..tools.check_digits import CHECK_DIGIT_ALGORITHMS
from ..tools.errors import SerialValidationError
from ..tools.format_rule import CHARSETS
from ..tools.format_rule import DEFAULT_RULE
from ..tools.limits import shorten
from ..tools.similarity import common_prefix_length
from ..tools.similarity import likely_typos
from ..tools.similarity import typo_search_split

# How many bad lines a refusal lists before summarising the rest.
MAX_LISTED_ERRORS = 50


class SerialVerdict(NamedTuple):
    """The outcome of checking one serial: `serial` is the normalised value to store."""

    index: int
    product: models.BaseModel
    raw: str
    serial: str
    error: str | bool
    warning: str | bool


class CheckedSerials:
    """Serials that a batch check of this request accepted, as (product id, company id, serial).

    Server code that has just checked serials passes this in the context as
    `storq_checked_serials` to the code that saves them, which need not check them again.
    Only server code can make one: a context that comes from a client holds JSON values
    only, so a `storq_checked_serials` sent over RPC is ignored. Compared by identity, as
    context values are.
    """

    __slots__ = ("_keys",)

    def __init__(self, keys):
        self._keys = frozenset(keys)

    def __contains__(self, key):
        return key in self._keys

    @classmethod
    def from_context(cls, context):
        """The checked serials of `context`, or an empty set when there are none (or forged ones)."""
        checked = context.get("storq_checked_serials")
        return checked if isinstance(checked, cls) else cls(())


class DeferredLotChecks:
    """Move lines whose serial names are checked once, when the write that saves them ends.

    Odoo saves a move's lines one `write` per line (each `Command.update` of a one2many, as
    Generate Serials and the web client's save of imported or pasted serials do): checking
    each line's serial in its own write cost one batch check per serial. The move's `write`
    puts one of these in the context as `storq_deferred_lot_checks`, the lines add
    themselves to it, and the move checks them all in one batch at the end. Only server code
    can make one (a context from a client holds JSON values only), like `CheckedSerials`.
    """

    __slots__ = ("line_ids",)

    def __init__(self):
        self.line_ids = []

    @classmethod
    def from_context(cls, context):
        """The collector of `context`, or None when the checks are not deferred."""
        deferred = context.get("storq_deferred_lot_checks")
        return deferred if isinstance(deferred, cls) else None

    @classmethod
    def around(cls, records, call):
        """`call(records)` with the lines' checks deferred, then the lines checked at once."""
        if cls.from_context(records.env.context) is not None:
            return call(records)
        deferred = cls()
        result = call(records.with_context(storq_deferred_lot_checks=deferred))
        if deferred.line_ids:
            lines = records.env["stock.move.line"].browse(dict.fromkeys(deferred.line_ids)).exists()
            lines.filtered("lot_name")._storq_check_lot_names()
        return result


class StorqSerialValidation(models.AbstractModel):
    """Checks serials in batches, with a number of queries that does not grow with the batch.

    Every entry point (lot forms, imports, RPC, move lines, wizards) goes through
    `_check_serials`, so the rules are the same wherever a serial enters.
    """

    _name = "storq.serial.validation"
    _description = "Serial Number Validation"

    # ------------------------------------------------------------------
    # Messages
    # ------------------------------------------------------------------
    @api.model
    def _error_message(self, error, serial=None, rule_name=None):
        """A translated, actionable message for a tools `SerialValidationError`."""
        params = dict(error.params)
        shown = serial if serial is not None else params.get("value", "")
        rule = rule_name or self.env._("the product's format")
        messages = {
            "empty": lambda: self.env._("The serial is empty: scan or type the serial printed on the unit."),
            "too_short": lambda: self.env._(
                "%(serial)s has %(length)s characters; %(rule)s needs at least %(min_length)s.",
                serial=shown,
                length=params.get("length"),
                rule=rule,
                min_length=params.get("min_length"),
            ),
            "too_long": lambda: self.env._(
                "%(serial)s has %(length)s characters; %(rule)s allows at most %(max_length)s.",
                serial=shown,
                length=params.get("length"),
                rule=rule,
                max_length=params.get("max_length"),
            ),
            "prefix": lambda: self.env._(
                "%(serial)s does not start with %(prefix)s as %(rule)s requires.",
                serial=shown,
                prefix=params.get("prefix"),
                rule=rule,
            ),
            "charset": lambda: self.env._(
                "%(serial)s contains characters that %(rule)s does not allow (%(charset)s): %(chars)s",
                serial=shown,
                rule=rule,
                charset=CHARSETS.get(params.get("charset"), params.get("charset")),
                chars=params.get("chars"),
            ),
            "pattern": lambda: self.env._(
                "%(serial)s does not match the format %(rule)s (%(pattern)s).",
                serial=shown,
                rule=rule,
                pattern=params.get("pattern"),
            ),
            "check_digit": lambda: self.env._(
                "The check digit of %(serial)s is wrong (%(algorithm)s): the serial was mistyped "
                "or misread. Scan it again or check the label.",
                serial=shown,
                algorithm=CHECK_DIGIT_ALGORITHMS.get(params.get("algorithm"), params.get("algorithm")),
            ),
            "gtin_shape": lambda: self.env._(
                "%(serial)s looks like a product barcode (GTIN/EAN/UPC), not a serial. Scan the "
                "serial number barcode of the unit. If this product's serials really look like "
                'this, tick "Accept GTIN-shaped serials" on its format rule.',
                serial=shown,
            ),
            "invalid_pattern": lambda: self.env._(
                "the regular expression %(pattern)s is not valid (%(reason)s).",
                pattern=params.get("pattern"),
                reason=params.get("reason"),
            ),
            "invalid_rule": lambda: self.env._("%(reason)s", reason=params.get("reason")),
            "range_overflow": lambda: self.env._(
                "Counting %(count)s serials from %(first)s needs more digits than it has: "
                "start lower or add a leading zero.",
                count=params.get("count"),
                first=params.get("first"),
            ),
            "range_no_digits": lambda: self.env._(
                "%(first)s has no digits to count from: give a first serial that ends in a number.",
                first=params.get("first"),
            ),
        }
        build = messages.get(error.code)
        return build() if build else str(error)

    # ------------------------------------------------------------------
    # Rules per product
    # ------------------------------------------------------------------
    @api.model
    def _get_rule(self, product):
        """(compiled rule, rule label) for a serial-controlled product."""
        rule_record = product.product_tmpl_id._storq_effective_format()
        if not rule_record:
            return DEFAULT_RULE, False
        rule = self.env["storq.serial.format"]._get_compiled_rule(rule_record.id)
        return rule, rule.name

    @api.model
    def _normalize(self, product, raw):
        """The value to store for `raw` on `product` (unchanged for products not under control)."""
        return self._normalize_many(product, [raw])[0]

    @api.model
    def _normalize_many(self, product, raws):
        """`_normalize` for many values of one product, reading its rule once."""
        if not product.storq_serial_control:
            return list(raws)
        rule, _label = self._get_rule(product)

        def normalize(raw):
            if not isinstance(raw, str):
                return raw
            try:
                return rule.normalize(raw)
            except SerialValidationError:
                return raw  # left as it is: the checks will refuse it

        return [normalize(raw) for raw in raws]

    # ------------------------------------------------------------------
    # Batch check
    # ------------------------------------------------------------------
    @api.model
    def _check_serials(self, entries, exclude_lot_ids=(), check_existing=True, warn_similar=False):
        """Check (product, raw serial, company) entries; return one `SerialVerdict` each.

        Products not under serial control pass unchanged. The checks are: the product's
        format rule (or the default one), the product/location code guard, duplicates inside
        the batch and, with `check_existing`, against existing units; with `warn_similar`,
        a warning for serials one edit away from an existing serial of the same product.
        """
        entries = list(entries)
        verdicts = [None] * len(entries)
        checked = []  # (index, product, company, serial)
        rules = {}  # product -> (rule, label), or None when not under serial control
        for index, (product, raw, company) in enumerate(entries):
            if product not in rules:
                rules[product] = self._get_rule(product) if product.storq_serial_control else None
            if rules[product] is None:
                verdicts[index] = SerialVerdict(index, product, raw, raw, False, False)
                continue
            rule, label = rules[product]
            try:
                serial = rule.validate(raw if isinstance(raw, str) else "")
            except SerialValidationError as error:
                shown = shorten(raw.strip()) if isinstance(raw, str) else ""  # bounded in messages
                message = self._error_message(error, serial=shown, rule_name=label)
                verdicts[index] = SerialVerdict(index, product, raw, shown, message, False)
                continue
            checked.append((index, product, company, serial))

        if checked:
            errors = self._check_product_codes(checked)
            errors.update(self._check_duplicates(checked, exclude_lot_ids, check_existing, errors))
            warnings = self._warn_similar(checked, exclude_lot_ids) if warn_similar else {}
            for index, product, _company, serial in checked:
                verdicts[index] = SerialVerdict(
                    index,
                    product,
                    entries[index][1],
                    serial,
                    errors.get(index, False),
                    warnings.get(index, False),
                )
        return verdicts

    @api.model
    def _check_product_codes(self, checked):
        """Serials equal to a product barcode/reference, packaging or location barcode (1 query)."""
        keys = list({serial.upper() for _i, _p, _c, serial in checked})
        self._flush_code_fields()
        self.env.cr.execute(
            """
            SELECT upper(barcode), 'product_barcode', id FROM product_product
             WHERE barcode IS NOT NULL AND upper(barcode) = ANY(%(keys)s)
            UNION ALL
            SELECT upper(default_code), 'product_reference', id FROM product_product
             WHERE default_code IS NOT NULL AND upper(default_code) = ANY(%(keys)s)
            UNION ALL
            SELECT upper(barcode), 'packaging_barcode', id FROM product_packaging
             WHERE barcode IS NOT NULL AND upper(barcode) = ANY(%(keys)s)
            UNION ALL
            SELECT upper(barcode), 'location_barcode', id FROM stock_location
             WHERE barcode IS NOT NULL AND upper(barcode) = ANY(%(keys)s)
            """,
            {"keys": keys},
        )
        matches = {}
        for key, kind, record_id in self.env.cr.fetchall():
            matches.setdefault(key, (kind, record_id))
        if not matches:
            return {}
        models_by_kind = {
            "product_barcode": "product.product",
            "product_reference": "product.product",
            "packaging_barcode": "product.packaging",
            "location_barcode": "stock.location",
        }
        what = {
            "product_barcode": self.env._("the barcode of the product"),
            "product_reference": self.env._("the internal reference of the product"),
            "packaging_barcode": self.env._("the barcode of the packaging"),
            "location_barcode": self.env._("the barcode of the location"),
        }
        errors = {}
        for index, _product, _company, serial in checked:
            match = matches.get(serial.upper())
            if not match:
                continue
            kind, record_id = match
            record = self.env[models_by_kind[kind]].sudo().browse(record_id)
            errors[index] = self.env._(
                "%(serial)s looks like a product or location code, not a serial: it is %(what)s "
                "%(record)s. Scan the serial number barcode of the unit instead.",
                serial=serial,
                what=what[kind],
                record=record.display_name,
            )
        return errors

    @api.model
    def _check_duplicates(self, checked, exclude_lot_ids, check_existing, known_errors):
        """Duplicates inside the batch and, optionally, against existing units (1 query).

        Two units conflict as the database constraints have it (models/stock_lot_unique.py): the
        same serial, companies that overlap (the same, or either has none), and the same product
        or both concerned by "Serials unique across products".
        """
        errors = {}
        existing = defaultdict(list)
        if check_existing:
            lots = (
                self.env["stock.lot"]
                .sudo()
                .with_context(active_test=False)
                .search_fetch(
                    [
                        ("name", "in", list({serial for _i, _p, _c, serial in checked})),
                        ("id", "not in", list(exclude_lot_ids)),
                        ("storq_serial_control", "=", True),
                    ],
                    ["name", "product_id", "company_id", "storq_serial_unique_company_wide"],
                )
            )
            for lot in lots:
                existing[lot.name].append(
                    (lot.product_id, lot.company_id, lot.storq_serial_unique_company_wide, None)
                )
        wide_by_company = {}  # company id -> "Serials unique across products" (read once each)
        for index, product, company, serial in checked:
            if index in known_errors:
                continue
            company_key = company.id if company else False
            if company_key not in wide_by_company:
                wide_by_company[company_key] = (
                    company.storq_serial_unique_per_company
                    if company
                    else self.env["res.company"]._storq_any_unique_across_products()
                )
            company_wide = wide_by_company[company_key]
            for other_product, other_company, other_wide, other_index in existing[serial]:
                if other_company and company and other_company != company:
                    continue
                if other_product != product and not (company_wide and other_wide):
                    continue
                if other_index is not None:
                    errors[index] = self.env._(
                        "%(serial)s is entered twice (lines %(first)s and %(second)s): each unit needs "
                        "its own serial.",
                        serial=serial,
                        first=other_index + 1,
                        second=index + 1,
                    )
                elif other_product == product:
                    errors[index] = self.env._(
                        "%(serial)s is already registered for %(product)s: serials must be unique. "
                        "Check the label; if this is the same unit, open the existing one.",
                        serial=serial,
                        product=product.display_name,
                    )
                else:
                    errors[index] = self.env._(
                        "%(serial)s is already the serial of a unit of %(other)s, and serials are "
                        "unique across all products of %(company)s.",
                        serial=serial,
                        other=other_product.display_name,
                        company=(company or other_company).name or self.env.company.name,
                    )
                break
            if index not in errors:
                # Later lines of the batch are checked against this one as against a saved unit.
                existing[serial].append((product, company, company_wide, index))
        return errors

    @api.model
    def _warn_similar(self, checked, exclude_lot_ids):
        """Warnings for serials one edit away from an existing serial of the same product (2 queries).

        Reading every serial of the product made one unit's creation cost as much as the
        catalogue. Instead, each serial is split in two (`typo_search_split`): every serial one
        edit away starts with its first part or ends with its second, which two btree indexes
        find (models/stock_lot_unique.py: name, and reverse(name), per product). The split is
        put in the middle of what tells the product's serials apart, from the first and last
        serials in index order (what they share, all serials between them share): one query.
        The candidates found are then confirmed by `likely_typos`, as before.
        """
        product_ids = list({product.id for _i, product, _c, _s in checked})
        self.env["stock.lot"].flush_model(["name", "product_id", "storq_serial_control"])
        cr = self.env.cr
        cr.execute(
            """
            SELECT p.id,
                   (SELECT name FROM stock_lot WHERE product_id = p.id AND storq_serial_control
                     ORDER BY name USING ~<~ LIMIT 1),
                   (SELECT name FROM stock_lot WHERE product_id = p.id AND storq_serial_control
                     ORDER BY name USING ~>~ LIMIT 1),
                   (SELECT reverse(name) FROM stock_lot WHERE product_id = p.id AND storq_serial_control
                     ORDER BY reverse(name) USING ~<~ LIMIT 1),
                   (SELECT reverse(name) FROM stock_lot WHERE product_id = p.id AND storq_serial_control
                     ORDER BY reverse(name) USING ~>~ LIMIT 1)
              FROM unnest(%s::int4[]) AS p(id)
            """,
            [product_ids],
        )
        bounds = {row[0]: row[1:] for row in cr.fetchall() if row[1] is not None}
        arms = []  # (index, product id, prefix, reversed suffix, min length, max length)
        for index, product, _company, serial in checked:
            if product.id not in bounds or not serial:
                continue
            first, last, first_reversed, last_reversed = bounds[product.id]
            shared_prefix = min(common_prefix_length(first, last), common_prefix_length(first, serial))
            reversed_serial = serial[::-1]
            shared_suffix = min(
                common_prefix_length(first_reversed, last_reversed),
                common_prefix_length(first_reversed, reversed_serial),
            )
            prefix, suffix = typo_search_split(serial, shared_prefix, shared_suffix)
            arms.append((index, product.id, prefix, suffix[::-1], len(serial) - 1, len(serial) + 1))
        if not arms:
            return {}
        # `x ~>=~ lo AND x ~<~ lo || U+10FFFF` is "x starts with lo" in the byte order of
        # text_pattern_ops, in a form an index scan takes from a joined row.
        cr.execute(
            """
            WITH arm AS (
                SELECT * FROM unnest(%(index)s::int4[], %(product)s::int4[], %(prefix)s::text[],
                                     %(suffix)s::text[], %(min_len)s::int4[], %(max_len)s::int4[])
                       AS a(idx, product_id, prefix, reversed_suffix, min_len, max_len)
            )
            SELECT arm.idx, lot.name
              FROM arm
              JOIN LATERAL (
                    SELECT name FROM stock_lot
                     WHERE product_id = arm.product_id AND storq_serial_control
                       AND name ~>=~ arm.prefix AND name ~<~ (arm.prefix || chr(1114111))
                       AND length(name) BETWEEN arm.min_len AND arm.max_len
                       AND NOT id = ANY(%(exclude)s)
                    UNION
                    SELECT name FROM stock_lot
                     WHERE product_id = arm.product_id AND storq_serial_control
                       AND reverse(name) ~>=~ arm.reversed_suffix
                       AND reverse(name) ~<~ (arm.reversed_suffix || chr(1114111))
                       AND length(name) BETWEEN arm.min_len AND arm.max_len
                       AND NOT id = ANY(%(exclude)s)
                   ) AS lot ON TRUE
            """,
            {
                "index": [arm[0] for arm in arms],
                "product": [arm[1] for arm in arms],
                "prefix": [arm[2] for arm in arms],
                "suffix": [arm[3] for arm in arms],
                "min_len": [arm[4] for arm in arms],
                "max_len": [arm[5] for arm in arms],
                "exclude": list(exclude_lot_ids),
            },
        )
        candidates = defaultdict(list)
        for index, name in cr.fetchall():
            candidates[index].append(name)
        warnings = {}
        for index, product, _company, serial in checked:
            others = likely_typos([serial], candidates.get(index, ())).get(serial)
            if others:
                warnings[index] = self.env._(
                    "%(serial)s is one character away from the existing serial %(others)s of "
                    "%(product)s: check that it was not mistyped.",
                    serial=serial,
                    others=", ".join(others[:3]),
                    product=product.display_name,
                )
        return warnings

    @api.model
    def _flush_code_fields(self):
        """The code guard reads with SQL: pending ORM writes must reach the database first."""
        self.env["product.product"].flush_model(["barcode", "default_code"])
        self.env["product.packaging"].flush_model(["barcode"])
        self.env["stock.location"].flush_model(["barcode"])

    # ------------------------------------------------------------------
    # Reporting
    # ------------------------------------------------------------------
    @api.model
    def _format_errors(self, verdicts, line_label=None):
        """One line per refused serial, e.g. "Line 3 (SN 12): reason"."""
        bad = [verdict for verdict in verdicts if verdict.error]
        lines = []
        for verdict in bad[:MAX_LISTED_ERRORS]:
            label = line_label(verdict) if line_label else self.env._("Line %(line)s", line=verdict.index + 1)
            lines.append(f"{label}: {verdict.error}")
        if len(bad) > MAX_LISTED_ERRORS:
            lines.append(
                self.env._("… and %(count)s more refused serials.", count=len(bad) - MAX_LISTED_ERRORS)
            )
        return "\n".join(lines)

    @api.model
    def _raise_for_errors(self, verdicts, line_label=None):
        bad = [verdict for verdict in verdicts if verdict.error]
        if bad:
            raise ValidationError(
                self.env._(
                    "%(count)s serial number(s) refused; nothing was saved. "
                    "Correct them and try again:\n%(lines)s",
                    count=len(bad),
                    lines=self._format_errors(verdicts, line_label),
                )
            )
