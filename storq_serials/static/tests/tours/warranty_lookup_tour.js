/** @odoo-module **/
import { registry } from "@web/core/registry";

// The most a person does at the warranty desk, from the empty lookup to a saved claim.
const MAX_ACTIONS = 3;

function countActions(steps) {
    // Steps with `run` are what the person does; the others only wait for the screen.
    const actions = steps.filter((step) => step.run).length;
    if (actions > MAX_ACTIONS) {
        throw new Error(`The warranty lookup takes ${actions} actions, more than ${MAX_ACTIONS}.`);
    }
    return steps;
}

// From the empty lookup: scan a serial, say what is wrong, open the claim (saved).
registry.category("web_tour.tours").add("storq_warranty_lookup", {
    steps: () =>
        countActions([
            {
                // The serial field has the focus: a keyboard-wedge scanner types into it.
                trigger: ".o_field_widget[name=serial] input:focus",
            },
            {
                // Action 1: the scan: the scanner types the serial and its Enter.
                trigger: ".o_field_widget[name=serial] input",
                run: "edit wtr0001 && press Enter",
            },
            {
                trigger: ".o_field_widget[name=coverage]:contains('Covered')",
            },
            {
                trigger: ".o_field_widget[name=partner_id]:contains('Tour Warranty Customer')",
            },
            {
                trigger: ".o_field_widget[name=card_html]:contains('Delivered')",
            },
            {
                // Action 2: the problem.
                trigger: ".o_field_widget[name=description] textarea",
                run: "edit The screen stays black.",
            },
            {
                // Action 3: open the claim, saved at once.
                trigger: "button[name=action_open_claim]",
                run: "click",
            },
            {
                trigger: ".o_form_view .o_field_widget[name=lot_id]:contains('WTR0001')",
            },
            {
                trigger: ".o_form_view .o_field_widget[name=coverage]:contains('Covered')",
            },
            {
                trigger: ".o_form_view .o_form_saved",
            },
        ]),
});

// On the customer's form the warranty buttons are in sight (not under "More"), and New claim
// offers that customer's units.
registry.category("web_tour.tours").add("storq_warranty_customer_buttons", {
    steps: () => [
        {
            trigger: ".o_storq_partner_buttons button.o_storq_units:visible:contains('Units')",
        },
        {
            trigger: ".o_storq_partner_buttons button.o_storq_claims:visible:contains('Claims')",
        },
        {
            trigger: ".o_storq_partner_buttons button.o_storq_return_units:visible",
        },
        {
            trigger: ".o_form_view:not(:has(.o_button_box .o-dropdown--menu .o_storq_units))",
        },
        {
            trigger: ".o_storq_partner_buttons button.o_storq_new_claim:visible",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=customer_id]:contains('Tour Warranty Customer')",
        },
        {
            trigger: ".o_field_widget[name=serial] input",
            run: "edit WTR0002 && press Enter",
        },
        {
            trigger: ".o_storq_lookup_message:contains('holds no unit with serial WTR0002')",
        },
        {
            trigger: ".o_field_widget[name=serial] input",
            run: "edit WTR0001 && press Enter",
        },
        {
            trigger: ".o_field_widget[name=coverage]:contains('Covered')",
        },
        {
            trigger: ".o_field_widget[name=description] textarea",
            run: "edit Fan noise.",
        },
        {
            trigger: "button[name=action_open_claim]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved .o_field_widget[name=lot_id]:contains('WTR0001')",
        },
    ],
});
