{
    "name": "Storq Serials",
    "version": "18.0.1.0.0",
    "summary": "Item-level traceability: enforced serial numbers with per-product format rules",
    "description": """
One unit, one serial number, one complete history. Puts products under serial
control, validates every serial that enters the system against per-product
format rules and code guards, and reports existing data that breaks them.
""",
    "category": "Inventory/Inventory",
    "author": "Storq",
    "website": "https://storq.example.com",
    "license": "LGPL-3",
    "depends": ["sale_stock", "purchase_stock", "barcodes_gs1_nomenclature"],
    "data": [
        "security/storq_serials_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/storq_serial_format_views.xml",
        "views/product_template_views.xml",
        "views/product_category_views.xml",
        "views/stock_lot_views.xml",
        "views/storq_serial_hygiene_issue_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/storq_serial_format_demo.xml",
        "demo/product_demo.xml",
        "demo/stock_lot_demo.xml",
    ],
    "images": ["static/description/banner.png"],
    "application": True,
    "installable": True,
}
