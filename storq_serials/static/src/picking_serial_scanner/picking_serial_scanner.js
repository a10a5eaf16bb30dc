/** @odoo-module **/
import { Component, useRef, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { Mutex } from "@web/core/utils/concurrency";
import { useBus, useService } from "@web/core/utils/hooks";
import { url } from "@web/core/utils/urls";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * Listens to a hardware scanner (keyboard wedge) on a receipt or internal transfer form:
 * a product barcode selects the product, then each serial scanned is checked by the server
 * and added to the transfer, or refused with a danger notification and the error sound.
 */
export class PickingSerialScanner extends Component {
    static template = "storq_serials.PickingSerialScanner";
    static props = standardWidgetProps;

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.ui = useService("ui");
        this.root = useRef("root");
        this.state = useState({
            productId: false,
            productName: "",
            lastSerial: "",
            scanned: 0,
            expected: 0,
        });
        // Scanners send codes faster than the server answers: handle them in order.
        this.mutex = new Mutex();
        useBus(useService("barcode").bus, "barcode_scanned", (ev) => {
            // Not while a dialog opened over the form has the focus.
            if (this.root.el && this.ui.activeElement.contains(this.root.el)) {
                this.mutex.exec(() => this.onBarcodeScanned(ev.detail.barcode));
            }
        });
    }

    async onBarcodeScanned(barcode) {
        const record = this.props.record;
        if (record.isNew || (await record.isDirty())) {
            if (!(await record.save())) {
                return;
            }
        }
        const result = await this.orm.call("stock.picking", "storq_scan", [[record.resId], barcode], {
            context_product_id: this.state.productId,
        });
        if (result.status === "error") {
            this.playErrorSound();
            this.notification.add(result.message, { title: _t("Scan refused"), type: "danger" });
            return;
        }
        Object.assign(this.state, {
            productId: result.product_id,
            productName: result.product_name,
            lastSerial: result.serial || "",
            scanned: result.scanned,
            expected: result.expected,
        });
        if (result.status === "ok") {
            this.notification.add(result.message, { type: "success" });
            await record.load();
        } else {
            this.notification.add(result.message, { type: "info" });
        }
    }

    playErrorSound() {
        // The error sound of Odoo's barcodes module.
        const extension = new Audio().canPlayType("audio/ogg") ? "ogg" : "mp3";
        const sound = new Audio(url(`/barcodes/static/src/audio/error.${extension}`));
        // Browsers may block sound until the page was interacted with: never fail the scan for it.
        sound.play().catch(() => {});
    }
}

export const pickingSerialScanner = {
    component: PickingSerialScanner,
};

registry.category("view_widgets").add("storq_serial_scanner", pickingSerialScanner);
