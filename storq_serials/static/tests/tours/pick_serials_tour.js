/** @odoo-module **/
import { registry } from "@web/core/registry";

// From a sale order, a picker opens the delivery and uploads the units a batch-mode scanner
// holds into Pick Serials: one of them is in the back room and refused with where it is, so
// he keeps the good ones, then validates the delivery.
registry.category("web_tour.tours").add("storq_pick_serials", {
    steps: () => [
        {
            trigger: "button[name=action_view_delivery]",
            run: "click",
        },
        {
            trigger: ".o_form_statusbar button:contains('Pick Serials')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=serial_text] textarea",
            // The scanner's upload, one serial per line (a run string cannot hold a line break).
            async run(actions) {
                await actions.edit("tp00004\nTP00009\nTP00002\nTP00001");
            },
        },
        {
            trigger: ".modal button[name=action_check]",
            run: "click",
        },
        {
            // One verdict per serial; the unit in the back room is refused with where it is.
            trigger:
                ".modal .o_field_widget[name=result]:contains('REFUSED TP00009: TP00009 is at WH/Tour back room')",
        },
        {
            trigger: ".modal .o_field_widget[name=result]:contains('OK TP00004: TP00004 taken from WH/Stock')",
        },
        {
            trigger: ".modal .o_field_widget[name=apply_policy] input[data-value=good_only]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=apply_policy] input[data-value=good_only]:checked",
        },
        {
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('3 of 4 serials picked on')",
        },
        {
            trigger: "body:not(:has(.modal))",
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
