/** @odoo-module **/
import { registry } from "@web/core/registry";

// A customer opens a warranty claim for one of their units from the portal.
registry.category("web_tour.tours").add("storq_warranty_portal", {
    url: "/my/units",
    steps: () => [
        {
            trigger: "tr.o_storq_portal_unit[data-unit=WPR0001]:contains('Covered')",
        },
        {
            trigger: "tr.o_storq_portal_unit:not([data-unit=WPR0002])",
        },
        {
            trigger: "tr.o_storq_portal_unit[data-unit=WPR0001] a.o_storq_portal_open_claim",
            run: "click",
        },
        {
            trigger: "textarea[name=description]",
            run: "edit The battery swelled.",
        },
        {
            trigger: "button.o_storq_portal_submit_claim",
            run: "click",
        },
        {
            trigger: ".o_storq_portal_claim_page:contains('The battery swelled.'):contains('WPR0001')",
        },
    ],
});
