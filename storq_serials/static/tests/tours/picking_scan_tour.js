/** @odoo-module **/
import { registry } from "@web/core/registry";

/**
 * What a keyboard-wedge scanner does: type the code very fast, then Enter. The keys go
 * to the page, where Odoo's barcode service turns them into a "barcode_scanned" event.
 */
function scan(barcode) {
    for (const key of [...barcode, "Enter"]) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
}

// A warehouse worker scans a product and its serials into a receipt, then validates it.
registry.category("web_tour.tours").add("storq_picking_scan", {
    steps: () => [
        {
            trigger: ".o_storq_serial_scanner",
            run: () => scan("TOUR-SCAN-BOX"),
        },
        {
            trigger: ".o_storq_scan_product:contains('Tour scanned phone')",
            run: () => scan("tr00001"),
        },
        {
            trigger: ".o_storq_scan_last_serial:contains('TR00001')",
            run: () => scan("TR00002"),
        },
        {
            trigger: ".o_storq_scan_last_serial:contains('TR00002')",
            run: () => scan("TR00003"),
        },
        {
            trigger: ".o_storq_scan_last_serial:contains('TR00003')",
        },
        {
            trigger: ".o_storq_scan_progress:contains('3 / 3 scanned')",
            run: () => scan("TR000039"),
        },
        {
            // Too long for the format rule: refused, nothing added.
            trigger: ".o_notification:has(.bg-danger):contains('allows at most 7')",
        },
        {
            trigger: ".o_notification:has(.bg-danger) .o_notification_close",
            run: "click",
        },
        {
            trigger: ".o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=done]",
        },
    ],
});
