"""The ORM's company check (`BaseModel._check_company`), passed for a whole batch at once.

Odoo checks each record on its own: for each of its company-checked relational fields, a
`with_context` and a `filtered_domain` of that record's value. Validating 10,000 move lines
spends seconds there (a tenth of a 10,000-serial receipt). A record's value passes when it
matches the domain `_check_company_domain` gives for the record's companies, whatever the other
records hold: so the records are grouped by their companies, and the values of each group and
field are filtered once. When any value fails, Odoo's own check runs, to raise its own message.
"""

from collections import defaultdict


def companies_consistent(records, fnames=None):
    """True when Odoo's `records._check_company(fnames)` would pass; False when it would raise,
    or when this cannot tell as cheaply (the caller then runs Odoo's check)."""
    model = records.browse()
    if fnames is None or {"company_id", "company_ids"} & set(fnames):
        fnames = model._fields
    regular_fields, property_fields = [], []
    for name in fnames:
        field = model._fields[name]
        if field.relational and field.check_company:
            (property_fields if field.company_dependent else regular_fields).append(name)
    if not (regular_fields or property_fields):
        return True
    sudo_records = records.sudo()
    groups = []  # (companies the values must belong to, the records)
    if regular_fields:
        if model._name == "res.company" or ("company_id" not in model and "company_ids" not in model):
            return False
        company_field = "company_id" if "company_id" in model else "company_ids"
        by_companies = defaultdict(list)
        for record in sudo_records:
            by_companies[record[company_field]._ids].append(record.id)
        Company = model.env["res.company"]
        for company_ids, record_ids in by_companies.items():
            groups.append((Company.browse(company_ids), sudo_records.browse(record_ids), regular_fields))
    if property_fields:
        groups.append((model.env.company, sudo_records, property_fields))
    for companies, group, names in groups:
        for name in names:
            values = group.mapped(name)
            if not values:
                continue
            domain = values._check_company_domain(companies)
            if domain and values != values.with_context(active_test=False).filtered_domain(domain):
                return False
    return True
