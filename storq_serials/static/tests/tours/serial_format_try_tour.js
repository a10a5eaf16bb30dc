/** @odoo-module **/
import { registry } from "@web/core/registry";

// A manager opens a format rule and checks serials in the "Try a serial" box.
registry.category("web_tour.tours").add("storq_serial_format_try", {
    steps: () => [
        {
            trigger: ".o_data_row td:contains('Tour IMEI')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=try_serial] input",
            run: "edit 490154203237519 && click body",
        },
        {
            trigger: ".alert-danger:contains('check digit')",
        },
        {
            trigger: ".o_field_widget[name=try_serial] input",
            run: "edit IMEI: 490154203237518 && click body",
        },
        {
            trigger: ".alert-success:contains('stored as 490154203237518')",
        },
        {
            trigger: ".o_field_widget[name=try_serial] input",
            run: "edit 5012345678900 && click body",
        },
        {
            trigger: ".alert-danger:contains('needs at least 15')",
        },
        {
            // Trying serials changes nothing worth saving.
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
    ],
});
