/** @odoo-module **/
import { registry } from "@web/core/registry";

/** A keyboard-wedge scanner: the code typed very fast, then Enter (as scan_screen_tours.js). */
function scan(barcode) {
    for (const key of [...barcode, "Enter"]) {
        document.body.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    }
}

/** Resolve once `check()` is true (polled at each animation frame). */
function until(check, timeout = 20000) {
    const start = performance.now();
    return new Promise((resolve, reject) => {
        const poll = () => {
            if (check()) {
                resolve();
            } else if (performance.now() - start > timeout) {
                reject(new Error("The scan was not shown in time"));
            } else {
                requestAnimationFrame(poll);
            }
        };
        poll();
    });
}

/**
 * Time the scans of `prefix` + 5 digits from `first` to `first + count`, adding to `times`:
 * from the scanner's Enter to the scan shown on the screen (the RPC, the answer and the
 * rendering), with performance.now().
 */
async function timeScans(prefix, first, count, times = []) {
    for (let n = first; n < first + count; n++) {
        const code = `${prefix}${String(n).padStart(5, "0")}`;
        const start = performance.now();
        scan(code);
        await until(() => {
            const last = document.querySelector(".o_storq_scan_history li span.font-monospace");
            return last && last.textContent === code;
        });
        times.push(performance.now() - start);
    }
    return times;
}

function summary(times) {
    const sorted = [...times].sort((a, b) => a - b);
    const count = sorted.length;
    return {
        count,
        mean: sorted.reduce((a, b) => a + b, 0) / count,
        median: sorted[Math.floor(count / 2)],
        p95: sorted[Math.min(count - 1, Math.floor(count * 0.95))],
        max: sorted[count - 1],
        dom_nodes: document.querySelectorAll(".o_storq_scan_screen *").length,
    };
}

/** Hand the figures to the Python side (it prints them and checks a bound). */
async function report(key, figures) {
    await fetch("/web/dataset/call_kw/ir.config_parameter/set_param", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
            jsonrpc: "2.0",
            method: "call",
            params: {
                model: "ir.config_parameter",
                method: "set_param",
                args: [key, JSON.stringify(figures)],
                kwargs: {},
            },
        }),
    });
}

function benchSteps(operation, prefix, first, key) {
    const times = [];
    // Each step may take up to 60 s (the tour's limit): 10 measured scans per step.
    const measure = (offset) => ({
        trigger: ".o_storq_scan_screen .o_storq_scan_title",
        timeout: 60000,
        run: () => timeScans(prefix, first + offset, 10, times),
    });
    return [
        {
            trigger: `.o_storq_scan_operation:contains('${operation}'), .o_storq_scan_audit:contains('${operation}')`,
            run: "click",
        },
        {
            // A few scans to warm up (JIT, first RPC), not measured.
            trigger: ".o_storq_scan_screen .o_storq_scan_title",
            timeout: 60000,
            run: () => timeScans(prefix, first, 3),
        },
        measure(3),
        measure(13),
        measure(23),
        {
            trigger: ".o_storq_scan_screen .o_storq_scan_title",
            run: async () => {
                await report(key, summary(times));
                document.body.classList.add("o_storq_bench_done");
            },
        },
        {
            trigger: "body.o_storq_bench_done",
        },
    ];
}

registry.category("web_tour.tours").add("storq_scan_screen_bench_transfer", {
    steps: () => benchSteps("Bench scan supplier", "TB", 90000, "storq.bench.scan_transfer"),
});

registry.category("web_tour.tours").add("storq_scan_screen_bench_audit", {
    steps: () => benchSteps("Bench audit shelf", "AB", 90000, "storq.bench.scan_audit"),
});
