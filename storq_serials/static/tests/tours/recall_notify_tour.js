/** @odoo-module **/
import { registry } from "@web/core/registry";

// A serial manager creates a recall from a serial range, previews it, confirms it and
// notifies the customers.
registry.category("web_tour.tours").add("storq_recall_notify", {
    steps: () => [
        {
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=title] input",
            run: "edit Tour charger overheating",
        },
        {
            trigger: ".o_field_widget[name=range_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=range_ids] .o_data_row .o_field_widget[name=serial_from] input",
            run: "edit TRC-0001",
        },
        {
            trigger: ".o_field_widget[name=range_ids] .o_data_row .o_field_widget[name=serial_to] input",
            run: "edit TRC-0010",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved button[name=action_preview]",
            run: "click",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Preview')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=preview_count]:contains('2')",
        },
        {
            trigger: "button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Confirmed')",
        },
        {
            trigger: "button[name=action_notify]",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('queued')",
        },
        {
            trigger: ".o_field_widget[name=notice_count]:contains('2')",
        },
    ],
});
