"""What the receipt and delivery benchmarks share: the serials and the two products compared."""


def imeis(count, start):
    from odoo.addons.storq_serials.tools.check_digits import compute_check_digit

    bodies = [f"35{start:02d}{n:010d}" for n in range(count)]
    return [body + compute_check_digit("luhn", body) for body in bodies]


def setup_products(env):
    rule = env["storq.serial.format"].create(
        {
            "name": "Benchmark IMEI",
            "charset": "digits",
            "min_length": 15,
            "max_length": 15,
            "check_digit": "luhn",
            "example": "490154203237518",
        }
    )
    plain = env["product.product"].create(
        {"name": "Bench plain", "type": "consu", "is_storable": True, "tracking": "serial"}
    )
    storq = env["product.product"].create(
        {
            "name": "Bench storq",
            "type": "consu",
            "storq_serial_control": True,
            "storq_serial_format_id": rule.id,
        }
    )
    return plain, storq
