/**
 * Loads a set of organisms (from a population manifest) into one LoraBank so any mix of them can share a batch,
 * with slot 0 reserved for the bare base model (a zero adapter). Also the helpers to point the bank's rows at
 * subjects.
 */
import path from "node:path";
import { LoraAdapter } from "../lora/adapter.ts";
import { LoraBank } from "../lora/bank.ts";
import { loadAdapter } from "../lora/peft.ts";
import type { Transformer } from "../model/transformer.ts";
import type { OrganismEntry } from "../organisms/manifest.ts";
import { readIntrospectionRows } from "../population/introspectionRows.ts";
import type { IaSubject } from "./data.ts";

export interface SubjectBank {
    bank: LoraBank;
    subjects: IaSubject[];
    /** Points the bank's rows at these subject indices (one per batch row). */
    setRows(subjectPerRow: readonly number[]): void;
}

export function loadSubjectBank(model: Transformer, popDir: string, organisms: readonly OrganismEntry[], o: { includeBase?: boolean } = {}): SubjectBank {
    const adapters: LoraAdapter[] = [];
    const subjects: IaSubject[] = [];
    try {
        for (const e of organisms) {
            adapters.push(loadAdapter(path.join(popDir, e.adapter), model.config, { device: model.device, name: e.id }));
            subjects.push(e.introspectionRows ? { key: e.id, spec: e.spec, rows: readIntrospectionRows(path.join(popDir, e.introspectionRows)) } : { key: e.id, spec: e.spec });
        }
        if (o.includeBase ?? true) {
            const first = adapters[0];
            if (!first) throw new Error(`${popDir}: no organisms to load`);
            // B = 0 at init, so this adapter adds nothing: the bare base model.
            adapters.push(LoraAdapter.create("base", model.config, first.config, { device: model.device }));
            subjects.push({ key: "base", spec: null });
        }
        const bank = LoraBank.fromAdapters(adapters, model.config, model.device);
        return {
            bank,
            subjects,
            setRows: (rows) => bank.setRows(rows),
        };
    } finally {
        for (const a of adapters) a.dispose();
    }
}
