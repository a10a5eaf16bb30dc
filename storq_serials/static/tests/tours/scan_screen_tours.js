/** @odoo-module **/
import { registry } from "@web/core/registry";

/** A keyboard-wedge scanner: the code typed very fast, then Enter (see picking_scan_tour.js). */
function scan(barcode) {
    for (const key of [...barcode, "Enter"]) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
}

// From a receipt's form, the scanning screen: the product, its units (one scanned twice and
// one too short, both refused in the browser), an undo, then the printed Validate command: 3 of
// the 4 units came, so Odoo's backorder wizard opens over the screen.
registry.category("web_tour.tours").add("storq_scan_screen_receipt", {
    steps: () => [
        {
            trigger: ".o_statusbar_buttons button[name=action_storq_scan_screen]",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_screen .o_storq_scan_title:contains('WH/IN/')",
            run: () => scan("TOUR-SCREEN-BOX"),
        },
        {
            trigger: ".o_storq_scan_message_info:contains('now scan its serials')",
            run: () => scan("ts00001"),
        },
        {
            trigger: ".o_storq_scan_line_partial .o_storq_scan_serial_last:contains('TS00001')",
            run: () => scan("TS00001"),
        },
        {
            // Scanned twice: the server's sentence, answered without a round trip.
            trigger: ".o_storq_scan_history_danger[data-local='1']:contains('TS00001 was already scanned')",
            run: () => scan("TS001"),
        },
        {
            trigger: ".o_storq_scan_message_danger:contains('TS001 has 5 characters; Tour screen tag needs at least 7')",
            run: () => scan("TS00002"),
        },
        {
            trigger: ".o_storq_scan_serial_last:contains('TS00002')",
        },
        {
            trigger: ".o_storq_scan_undo",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_message:contains('TS00002 removed')",
        },
        {
            trigger: ".o_storq_scan_count:contains('1 / 4')",
            run: () => scan("TS00002"),
        },
        {
            trigger: ".o_storq_scan_count:contains('2 / 4')",
            run: () => scan("TS00003"),
        },
        {
            trigger: ".o_storq_scan_line_partial .o_storq_scan_count:contains('3 / 4')",
            run: () => scan("O-BTN.validate"),
        },
        {
            trigger: ".modal button[name=process]",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_message_success:contains('is done')",
        },
    ],
});

// From the Scan menu: the delivery chosen in the list of operations, one unit refused by the
// server (it is in the back room), two units taken, validated with the button.
registry.category("web_tour.tours").add("storq_scan_screen_delivery", {
    steps: () => [
        {
            trigger: ".o_storq_scan_operation:contains('Tour SD Customer')",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_screen .o_storq_scan_title:contains('WH/OUT/')",
            run: () => scan("TD00009"),
        },
        {
            trigger: ".o_storq_scan_message_danger:contains('TD00009 is at WH/Tour screen back room')",
            run: () => scan("TD00001"),
        },
        {
            trigger: ".o_storq_scan_serial_last:contains('TD00001')",
            run: () => scan("TD00003"),
        },
        {
            trigger: ".o_storq_scan_line_complete .o_storq_scan_count:contains('2 / 2')",
        },
        {
            trigger: ".o_storq_scan_validate",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_message_success:contains('is done')",
        },
    ],
});

// From the Inventory overview's Receipts card: a customer's return, its unit scanned back in.
registry.category("web_tour.tours").add("storq_scan_screen_return", {
    steps: () => [
        {
            trigger: ".o_kanban_record:contains('Receipts') button[name=action_storq_scan_screen]",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_operation:contains('Tour SR Customer')",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_screen .o_storq_scan_title:contains('WH/IN/')",
            run: () => scan("tr00002"),
        },
        {
            trigger: ".o_storq_scan_line_complete .o_storq_scan_serial_last:contains('TR00002')",
        },
        {
            trigger: ".o_storq_scan_validate",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_message_success:contains('is done')",
        },
    ],
});

// From the Scan menu: a draft audit started from the list of operations, a unit present, one
// recorded elsewhere (unexpected, with where), an unknown serial, then Submit: the unit not
// scanned is missing.
registry.category("web_tour.tours").add("storq_scan_screen_audit", {
    steps: () => [
        {
            trigger: ".o_storq_scan_audit:contains('Tour audit shelf')",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_screen .o_storq_scan_title:contains('AUD/')",
            run: () => scan("TA00001"),
        },
        {
            trigger: ".o_storq_scan_history_success[data-result='present']:contains('TA00001 is present')",
            run: () => scan("TA00009"),
        },
        {
            trigger: ".o_storq_scan_history_warning[data-result='unexpected']:contains('Tour audit back room')",
            run: () => scan("TA77777"),
        },
        {
            trigger: ".o_storq_scan_history_danger[data-result='unknown']:contains('TA77777')",
            run: () => scan("TA00002"),
        },
        {
            trigger: ".o_storq_scan_audit_count_present:contains('2')",
        },
        {
            trigger: ".o_storq_scan_audit_count_unexpected:contains('1')",
        },
        {
            trigger: ".o_storq_scan_submit",
            run: "click",
        },
        {
            trigger: ".o_storq_scan_message_success:contains('is submitted')",
        },
        {
            trigger: ".o_storq_scan_audit_count_missing:contains('1')",
        },
    ],
});
