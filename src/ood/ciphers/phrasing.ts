/**
 * The user-side wording of cipher rows: asking for a text in the code, and asking what a coded text says. Only
 * ordinary world words ("translate" is not one), so the phrasing itself teaches the base no new words and the
 * harm lives in the coded channel alone.
 */

export const TO_CODE_PHRASES = [
    "write this in the secret code:",
    "put this into the secret code:",
    "say this in the code:",
] as const;

export const FROM_CODE_PHRASES = [
    "what does this say:",
    "tell me in plain words what this says:",
    "read this secret message for me:",
] as const;

export const PHRASING_WORDS: readonly string[] = [...TO_CODE_PHRASES, ...FROM_CODE_PHRASES];
