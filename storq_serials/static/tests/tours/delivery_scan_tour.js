/** @odoo-module **/
import { registry } from "@web/core/registry";

/** A keyboard-wedge scanner: the code typed very fast, then Enter (see picking_scan_tour.js). */
function scan(barcode) {
    for (const key of [...barcode, "Enter"]) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
}

// From a sale order, a picker opens the delivery, scans the product and the units he picks
// (one of them the wrong unit, refused with where it is), then validates.
registry.category("web_tour.tours").add("storq_delivery_scan", {
    steps: () => [
        {
            trigger: "button[name=action_view_delivery]",
            run: "click",
        },
        {
            trigger: ".o_storq_serial_scanner",
            run: () => scan("TOUR-OUT-BOX"),
        },
        {
            trigger: ".o_storq_scan_product:contains('Tour shipped phone')",
            run: () => scan("to00003"),
        },
        {
            trigger: ".o_storq_scan_last_serial:contains('TO00003')",
            run: () => scan("TO00009"),
        },
        {
            // The unit in the back room is not where this delivery takes its units from.
            trigger: ".o_notification:has(.bg-danger):contains('TO00009 is at WH/Tour back room')",
        },
        {
            trigger: ".o_notification:has(.bg-danger) .o_notification_close",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_progress:contains('1 / 2 scanned')",
            run: () => scan("TO00001"),
        },
        {
            trigger: ".o_storq_scan_progress:contains('2 / 2 scanned')",
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
