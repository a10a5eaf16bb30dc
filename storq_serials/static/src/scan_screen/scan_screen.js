/** @odoo-module **/
import { Component, onWillStart, useRef, useState } from "@odoo/owl";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { Mutex } from "@web/core/utils/concurrency";
import { useBus, useService } from "@web/core/utils/hooks";
import { url } from "@web/core/utils/urls";
import {
    duplicateRefusal,
    formatRefusal,
    isLocallyCheckable,
    normalizeSerial,
} from "./scan_screen_checks";

// How many scans the screen lists.
const LAST_SCANS = 8;
// How many serials a product's card shows (the last ones): the screen stays as fast with
// 10,000 units scanned as with 10 (see docs/benchmarks.md).
const SHOWN_SERIALS = 12;
// An audit scan's result: the colour of its row, and whether Odoo's error sound plays.
const AUDIT_RESULTS = {
    present: { type: "success", sound: false },
    unexpected: { type: "warning", sound: true },
    unknown: { type: "danger", sound: true },
    duplicate: { type: "warning", sound: true },
    wrong_product: { type: "danger", sound: true },
    blocked: { type: "danger", sound: true },
    error: { type: "danger", sound: true },
    undone: { type: "info", sound: false },
};
// The audit's counts, in the order the screen shows them.
const AUDIT_COUNTS = [
    ["expected", _t("Expected")],
    ["present", _t("Present")],
    ["missing", _t("Missing")],
    ["pending", _t("Not scanned")],
    ["unexpected", _t("Unexpected")],
    ["unknown", _t("Unknown")],
    ["duplicate", _t("Duplicates")],
    ["wrong_product", _t("Wrong product")],
    ["blocked", _t("Blocked found")],
    ["scanned", _t("Scans")],
];

/**
 * The warehouse scanning screen: choose an open transfer (or scan its reference), then scan
 * locations, products, GS1 codes, serials and printed commands. Every refusal is the server's
 * sentence (`stock.picking.storq_scan`); format and duplicate refusals are answered here first.
 */
export class StorqScanScreen extends Component {
    static template = "storq_serials.ScanScreen";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.ui = useService("ui");
        this.root = useRef("root");
        this.manualInput = useRef("manualInput");
        this.cameraSupported = isBarcodeScannerSupported();
        const params = this.props.action?.params || {};
        this.state = useState({
            mode: "operations",
            groups: [],
            audits: [],
            audit: null,
            auditLocation: null,
            pickingTypeId: params.picking_type_id || false,
            data: null,
            productId: false,
            locationDestId: false,
            locationName: "",
            highlight: null,
            message: null,
            lastScans: [],
            manual: "",
        });
        // Scanners send codes faster than the server answers: handle them in order.
        this.mutex = new Mutex();
        useBus(useService("barcode").bus, "barcode_scanned", (ev) => {
            // Not while a dialog (a validation wizard) is open over the screen.
            if (this.root.el && this.ui.activeElement.contains(this.root.el)) {
                this.mutex.exec(() => this.onScan(ev.detail.barcode));
            }
        });
        onWillStart(async () => {
            if (params.audit_id) {
                await this.openAudit(params.audit_id);
            } else if (params.picking_id) {
                await this.openPicking(params.picking_id);
            } else {
                await this.loadOperations();
            }
        });
    }

    // ------------------------------------------------------------------
    // Getters
    // ------------------------------------------------------------------
    get visibleGroups() {
        const typeId = this.state.pickingTypeId;
        return typeId ? this.state.groups.filter((group) => group.id === typeId) : this.state.groups;
    }

    get products() {
        return this.state.data ? this.state.data.products.filter((p) => p.tracking === "serial") : [];
    }

    get currentProduct() {
        return this.products.find((product) => product.id === this.state.productId);
    }

    /** The last serials of `product`, the one scanned last at the end. */
    shownSerials(product) {
        return product.serials.slice(-SHOWN_SERIALS);
    }

    hiddenSerials(product) {
        return Math.max(product.serials.length - SHOWN_SERIALS, 0);
    }

    get auditCounts() {
        const counts = this.state.audit ? this.state.audit.counts : {};
        return AUDIT_COUNTS.filter(([key]) => key in counts).map(([key, label]) => ({
            key,
            label,
            value: counts[key],
        }));
    }

    productClass(product) {
        const classes = [];
        if (product.done > product.expected) {
            classes.push("o_storq_scan_line_over");
        } else if (product.done === product.expected && product.expected > 0) {
            classes.push("o_storq_scan_line_complete");
        } else if (product.done > 0) {
            classes.push("o_storq_scan_line_partial");
        }
        if (product.id === this.state.productId) {
            classes.push("o_storq_scan_line_current");
        }
        return classes.join(" ");
    }

    // ------------------------------------------------------------------
    // Loading
    // ------------------------------------------------------------------
    async loadOperations() {
        const [groups, audits] = await Promise.all([
            this.orm.call("stock.picking", "storq_scan_screen_operations", []),
            this.orm.call("storq.serial.audit", "storq_scan_screen_audits", []),
        ]);
        Object.assign(this.state, {
            groups,
            audits,
            mode: "operations",
            data: null,
            audit: null,
            productId: false,
        });
    }

    // ------------------------------------------------------------------
    // Audits: one RPC per scan (`storq_audit_scan`), every scan classified by the server
    // ------------------------------------------------------------------
    async openAudit(auditId) {
        const audit = await this.orm.call("storq.serial.audit", "storq_audit_info", [[auditId]], {
            limit: LAST_SCANS,
        });
        Object.assign(this.state, {
            mode: "audit",
            audit,
            data: null,
            auditLocation: null,
            highlight: null,
            lastScans: audit.last_scans.map((scan, index) => ({
                id: `${auditId}-${index}`,
                code: scan.serial,
                type: (AUDIT_RESULTS[scan.result] || AUDIT_RESULTS.error).type,
                result: scan.result,
                message: scan.message,
                local: false,
            })),
            message:
                audit.status === "in_progress"
                    ? { type: "info", text: _t("Scan every unit you find (scan a location first to say where).") }
                    : { type: "info", text: audit.message || _t("%s takes no more scans.", audit.name) },
        });
    }

    async onAuditScan(code) {
        const audit = this.state.audit;
        if (code === "O-CMD.UNDO") {
            return this.auditUndo();
        }
        if (code === "O-BTN.validate") {
            return this.auditSubmit();
        }
        if (code in audit.locations) {
            // Where the next units are found: answered here, sent with each scan.
            const [id, name] = audit.locations[code];
            this.state.auditLocation = { id, name };
            const text = _t("Units scanned next are found at %s.", name);
            this.say("info", text);
            this.addScan(code, "info", text, true);
            return;
        }
        const result = await this.orm.call("storq.serial.audit", "storq_audit_scan", [[audit.id], code], {
            location_id: this.state.auditLocation ? this.state.auditLocation.id : false,
        });
        this.onAuditAnswer(code, result);
    }

    onAuditAnswer(code, result) {
        const look = AUDIT_RESULTS[result.status] || AUDIT_RESULTS.error;
        if (result.counts) {
            this.state.audit.counts = result.counts;
        }
        if (look.sound) {
            this.playErrorSound();
        }
        this.state.highlight = result.status === "present" ? { serial: result.serial } : null;
        this.say(look.type, result.message);
        this.addScan(result.serial || code, look.type, result.message, false, result.status);
    }

    auditUndo() {
        return this.orm
            .call("storq.serial.audit", "storq_audit_undo", [[this.state.audit.id]])
            .then((result) => this.onAuditAnswer(_t("Undo"), result));
    }

    async auditSubmit() {
        await this.orm.call("storq.serial.audit", "action_submit", [[this.state.audit.id]]);
        await this.openAudit(this.state.audit.id);
        this.say("success", _t("%s is submitted: a manager reviews and applies it.", this.state.audit.name));
    }

    onChooseAudit(audit) {
        this.mutex.exec(async () => {
            if (audit.state === "draft") {
                await this.orm.call("storq.serial.audit", "action_start", [[audit.id]]);
            }
            await this.openAudit(audit.id);
        });
    }

    onAuditSubmit() {
        this.mutex.exec(() => this.auditSubmit());
    }

    async openPicking(pickingId) {
        const data = await this.orm.call("stock.picking", "storq_scan_screen_load", [[pickingId]]);
        const serialProducts = data.products.filter((p) => p.tracking === "serial");
        Object.assign(this.state, {
            mode: "picking",
            data,
            productId: serialProducts.length === 1 ? serialProducts[0].id : false,
            locationDestId: false,
            locationName: "",
            highlight: null,
            lastScans: [],
            message: {
                type: "info",
                text: _t("Scan a product, then its serials (or a GS1 label)."),
            },
        });
    }

    async reload() {
        const productId = this.state.productId;
        const data = await this.orm.call("stock.picking", "storq_scan_screen_load", [
            [this.state.data.picking.id],
        ]);
        Object.assign(this.state, { data, productId });
    }

    // ------------------------------------------------------------------
    // Scans
    // ------------------------------------------------------------------
    async onScan(barcode) {
        const code = (barcode || "").trim();
        if (!code) {
            return;
        }
        if (this.state.mode === "audit") {
            if (this.state.audit.status !== "in_progress") {
                this.refuse(code, _t("%s takes no more scans: go back and choose another.", this.state.audit.name));
                return;
            }
            await this.onAuditScan(code);
            return;
        }
        if (this.state.mode === "operations") {
            const result = await this.orm.call("stock.picking", "storq_scan_screen_find", [code]);
            if (result.error) {
                this.refuse(code, result.error);
            } else {
                await this.openPicking(result.picking_id);
            }
            return;
        }
        if (!this.state.data.picking.scannable) {
            this.refuse(code, _t("This transfer is done or cancelled: go back and choose another."));
            return;
        }
        const localRefusal = this.localRefusal(code);
        if (localRefusal) {
            this.refuse(code, localRefusal, true);
            return;
        }
        const result = await this.orm.call(
            "stock.picking",
            "storq_scan_screen_scan",
            [[this.state.data.picking.id], code],
            {
                context_product_id: this.state.productId,
                location_dest_id: this.state.locationDestId,
            }
        );
        await this.onServerAnswer(code, result);
    }

    /** The server's sentence for a format or duplicate refusal, answered here; else "". */
    localRefusal(code) {
        const data = this.state.data;
        const product = this.currentProduct;
        if (
            !product ||
            !product.rule ||
            code in data.barcodes ||
            code in data.commands ||
            !isLocallyCheckable(code) ||
            // A GS1 element string is parsed by the server's nomenclature.
            (data.gs1 && /^\d{16,}/.test(code))
        ) {
            return "";
        }
        const serial = normalizeSerial(code, product.rule);
        return (
            formatRefusal(serial, product.rule) ||
            duplicateRefusal(serial, product, data.messages.twice)
        );
    }

    async onServerAnswer(code, result) {
        if (result.status === "error") {
            this.refuse(code, result.message);
            return;
        }
        if (result.status === "command") {
            this.addScan(code, "info", result.message);
            if (result.command === "cancel") {
                await this.loadOperations();
            } else if (result.command === "validate") {
                await this.afterValidate(result.action);
            }
            return;
        }
        if (result.status === "location") {
            Object.assign(this.state, {
                locationDestId: result.location_id || false,
                locationName: result.location_id ? code : "",
            });
            this.say("info", result.message);
            this.addScan(code, "info", result.message);
            return;
        }
        if (result.status === "product") {
            this.state.productId = result.product_id;
            this.say("info", result.message);
            this.addScan(code, "info", result.message);
            return;
        }
        // "ok" (a unit added) or "undone" (a unit removed)
        this.state.productId = result.product_id;
        const product = this.state.data.products.find((p) => p.id === result.product_id);
        if (product) {
            product.done = result.scanned;
            if (result.status === "ok") {
                product.serials.push(result.serial);
            } else {
                product.serials = product.serials.filter((serial) => serial !== result.serial);
            }
        }
        this.state.highlight =
            result.status === "ok" ? { productId: result.product_id, serial: result.serial } : null;
        this.say(result.status === "ok" ? "success" : "info", result.message);
        this.addScan(code, result.status === "ok" ? "success" : "info", result.message);
    }

    refuse(code, message, local = false) {
        this.playErrorSound();
        this.say("danger", message);
        this.addScan(code, "danger", message, local);
    }

    say(type, text) {
        this.state.message = { type, text };
    }

    /** List a scan; `local`: answered in the browser, without a round trip. */
    addScan(code, type, message, local = false, result = "") {
        this.state.lastScans.unshift({ id: Date.now() + Math.random(), code, type, message, local, result });
        this.state.lastScans.splice(LAST_SCANS);
    }

    playErrorSound() {
        // The error sound of Odoo's barcodes module.
        const extension = new Audio().canPlayType("audio/ogg") ? "ogg" : "mp3";
        const sound = new Audio(url(`/barcodes/static/src/audio/error.${extension}`));
        // Browsers may block sound until the page was interacted with: never fail the scan for it.
        sound.play().catch(() => {});
    }

    // ------------------------------------------------------------------
    // Buttons
    // ------------------------------------------------------------------
    onManualSubmit(ev) {
        ev.preventDefault();
        const code = this.state.manual;
        this.state.manual = "";
        this.mutex.exec(() => this.onScan(code));
    }

    async onCameraScan() {
        let barcode = null;
        try {
            barcode = await scanBarcode(this.env, "environment");
        } catch (error) {
            this.notification.add(error.message, { type: "warning" });
        }
        if (barcode) {
            this.mutex.exec(() => this.onScan(barcode));
        }
    }

    onChoosePicking(pickingId) {
        this.mutex.exec(() => this.openPicking(pickingId));
    }

    /** A tap on a product: its serials come next (when several products wait for units). */
    onChooseProduct(productId) {
        this.state.productId = productId;
    }

    onShowAllTypes() {
        this.state.pickingTypeId = false;
    }

    onBack() {
        this.mutex.exec(() => this.loadOperations());
    }

    onUndo() {
        if (this.state.mode === "audit") {
            this.mutex.exec(() => this.auditUndo());
            return;
        }
        this.mutex.exec(async () => {
            const last = this.state.highlight;
            const result = await this.orm.call(
                "stock.picking",
                "storq_scan_undo",
                [[this.state.data.picking.id]],
                { serial: last ? last.serial : false, product_id: last ? last.productId : false }
            );
            await this.onServerAnswer(_t("Undo"), result);
        });
    }

    onValidate() {
        this.mutex.exec(async () => {
            const action = await this.orm.call("stock.picking", "storq_scan_screen_validate", [
                [this.state.data.picking.id],
            ]);
            await this.afterValidate(action);
        });
    }

    async afterValidate(action) {
        if (action && action !== true) {
            // A wizard (backorder...): the screen shows the outcome once it is closed.
            await this.action.doAction(action, { onClose: () => this.reloadAfterValidation() });
            return;
        }
        await this.reloadAfterValidation();
    }

    async reloadAfterValidation() {
        await this.reload();
        if (this.state.data.picking.state === "done") {
            this.say("success", _t("%s is done.", this.state.data.picking.name));
        }
    }

    onPrintCommands() {
        this.action.doAction("storq_serials.action_report_scan_commands", {
            additionalContext: {
                active_ids: this.state.data
                    ? [this.state.data.picking.picking_type_id]
                    : this.visibleGroups.slice(0, 1).map((group) => group.id),
            },
        });
    }

    onClose() {
        this.action.doAction("stock.stock_picking_type_action", { clearBreadcrumbs: true });
    }
}

registry.category("actions").add("storq_scan_screen", StorqScanScreen);
