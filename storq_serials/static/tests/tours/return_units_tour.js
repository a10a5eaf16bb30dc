/** @odoo-module **/
import { registry } from "@web/core/registry";

// From a sale order, a user takes back the unit sold and sees a swapped unit refused.
registry.category("web_tour.tours").add("storq_return_units", {
    steps: () => [
        {
            trigger: ".o_form_statusbar button:contains('Return Units')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=serial_text] textarea",
            // Two scans, one per line (a run string cannot hold a line break).
            async run(actions) {
                await actions.edit("trn0001\nTRN0002");
            },
        },
        {
            trigger: ".modal button[name=action_check]",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains('TRN0002'):contains('sold to another customer')",
        },
        {
            trigger: ".modal .o_data_row:contains('TRN0001'):contains('Accepted')",
        },
        {
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('TRN0001')",
        },
    ],
});
