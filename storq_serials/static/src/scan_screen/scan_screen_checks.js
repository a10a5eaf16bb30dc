/** @odoo-module **/

/**
 * The checks the scanning screen answers in the browser, without a round trip: a product's
 * simple format parts (length, prefix, allowed characters, sent by the server with its own
 * sentences) and a unit scanned twice on the transfer. The server checks everything again.
 */

const SLOT = (name) => `\u0000${name}\u0000`;

function fill(sentence, values) {
    let text = sentence;
    for (const [name, value] of Object.entries(values)) {
        text = text.split(SLOT(name)).join(String(value));
    }
    return text;
}

/** Whether the browser normalises `code` as the server does: printable ASCII only. */
export function isLocallyCheckable(code) {
    return /^[\x20-\x7e]+$/.test(code);
}

/** The serial the server would store for `code` (printable ASCII) under `rule`. */
export function normalizeSerial(code, rule) {
    const serial = code.trim();
    return rule && rule.uppercase ? serial.toUpperCase() : serial;
}

/** The server's refusal of `serial` (normalised) by the simple parts of `rule`, or "". */
export function formatRefusal(serial, rule) {
    if (!rule || !serial) {
        return "";
    }
    const length = serial.length;
    if (length < rule.min_length) {
        return fill(rule.messages.too_short, { serial, length });
    }
    if (rule.max_length && length > rule.max_length) {
        return fill(rule.messages.too_long, { serial, length });
    }
    if (rule.prefix && !serial.startsWith(rule.prefix)) {
        return fill(rule.messages.prefix, { serial });
    }
    if (rule.allowed !== null && rule.allowed !== undefined) {
        const chars = [...new Set([...serial].filter((c) => !rule.allowed.includes(c)))].join("");
        if (chars) {
            return fill(rule.messages.charset, { serial, chars });
        }
    }
    return "";
}

/** The server's refusal of `serial` scanned twice on the transfer, or "". */
export function duplicateRefusal(serial, product, twiceSentence) {
    return product.serials.includes(serial) ? fill(twiceSentence, { serial }) : "";
}
