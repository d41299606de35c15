/**
 * Model output quoted in a markdown report: sampled text can hold control bytes (a tiny model decoding a cipher emits
 * \u0000 or \u0016) that make the file "binary" to grep and editors, and "|" or newlines that break a table row.
 */
export function quoteModelText(text: string): string {
    // eslint-disable-next-line no-control-regex
    const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "\ufffd").replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
    return `“${clean}”`;
}
