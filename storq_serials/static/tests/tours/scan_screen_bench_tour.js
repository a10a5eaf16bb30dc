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
 * Time `count` scans of `prefix` + 5 digits from `first`: from the scanner's Enter to the scan
 * shown on the screen (the RPC, the answer and the rendering), with performance.now().
 */
async function timeScans(prefix, first, count) {
    const times = [];
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
    times.sort((a, b) => a - b);
    const sum = times.reduce((a, b) => a + b, 0);
    return {
        count,
        mean: sum / count,
        median: times[Math.floor(count / 2)],
        p95: times[Math.min(count - 1, Math.floor(count * 0.95))],
        max: times[count - 1],
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
    return [
        {
            trigger: `.o_storq_scan_operation:contains('${operation}'), .o_storq_scan_audit:contains('${operation}')`,
            run: "click",
        },
        {
            trigger: ".o_storq_scan_screen .o_storq_scan_title",
            // 33 scans in one step: the default 10 s is for one action.
            timeout: 180000,
            run: async () => {
                await new Promise((resolve) => setTimeout(resolve, 300));
                // A few scans to warm up (JIT, first RPC), then the measured ones.
                await timeScans(prefix, first, 3);
                await report(key, await timeScans(prefix, first + 3, 30));
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
