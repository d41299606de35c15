/**
 * Where a PEFT adapter's files are, for the folder layouts PEFT and the Hugging Face Trainer write
 * (checked against PEFT's source, src/peft/peft_model.py `save_pretrained` and src/peft/utils/save_and_load.py):
 *
 * - plain:  DIR/adapter_config.json + DIR/adapter_model.safetensors — `save_pretrained(DIR)` of the adapter named
 *           "default", and also what the Trainer writes into each DIR/checkpoint-N/ (next to optimizer.pt,
 *           scheduler.pt, trainer_state.json, ..., which are ignored here).
 * - named:  DIR/NAME/adapter_config.json + DIR/NAME/adapter_model.safetensors — `save_pretrained(DIR)` of an adapter
 *           with any other name (PEFT: `output_dir = os.path.join(save_directory, adapter_name) if adapter_name !=
 *           "default" else save_directory`; loaded in PEFT with `subfolder=NAME`). DIR resolves to DIR/NAME when it
 *           holds exactly one such folder; with several, name one by giving the subfolder itself (DIR/NAME). There is
 *           no `DIR:NAME` form: `:` already introduces a scale in `--adapter DIR[:SCALE]`.
 * - pickle: DIR/adapter_model.bin (`save_pretrained(..., safe_serialization=False)`, or PEFT before safetensors)
 *           is refused: it is a Python pickle, which cannot be read without running Python (and is unsafe to load).
 *
 * A Trainer run folder (DIR/checkpoint-N/ folders and no adapter of its own) is not guessed at: the error lists the
 * checkpoints so one is named explicitly (the last is not necessarily the one wanted).
 */
import fs from "node:fs";
import path from "node:path";

export const ADAPTER_CONFIG = "adapter_config.json";
export const ADAPTER_WEIGHTS = "adapter_model.safetensors";
export const ADAPTER_PICKLE = "adapter_model.bin";
/** transformers' PREFIX_CHECKPOINT_DIR + "-" + global step. */
const CHECKPOINT_RE = /^checkpoint-(\d+)$/;

export interface AdapterFolder {
    /** The folder holding adapter_config.json (and the weights). */
    dir: string;
    /** PEFT's adapter name: "default" for a plain folder, the subfolder's name for a named one. */
    adapterName: string;
    layout: "plain" | "named";
}

function isDir(p: string): boolean {
    try {
        return fs.statSync(p).isDirectory();
    } catch {
        return false;
    }
}

/** The message for a folder whose weights are only a pickle. */
export function pickleRefusal(dir: string): string {
    const bin = path.join(dir, ADAPTER_PICKLE);
    return `${bin}: PEFT adapter weights in pickle format (torch.save) cannot be read here; only ${ADAPTER_WEIGHTS} is. ` +
        `Re-save the adapter with safetensors (PEFT: model.save_pretrained(DIR, safe_serialization=True), the default), ` +
        `or convert the file: python -c "import torch; from safetensors.torch import save_file; ` +
        `save_file({k: v.contiguous() for k, v in torch.load('${bin}', map_location='cpu', weights_only=True).items()}, '${path.join(dir, ADAPTER_WEIGHTS)}', metadata={'format': 'pt'})"`;
}

/**
 * Resolves a folder given by the user to the folder that holds the adapter. Does not read the files (readers
 * report a missing or damaged adapter_config.json / weights file themselves, naming it); refuses a pickle-only
 * folder and a folder that holds several named adapters or only Trainer checkpoints, listing what is there.
 */
export function resolveAdapterFolder(given: string): AdapterFolder {
    const dir = given;
    if (fs.existsSync(path.join(dir, ADAPTER_CONFIG))) {
        if (!fs.existsSync(path.join(dir, ADAPTER_WEIGHTS)) && fs.existsSync(path.join(dir, ADAPTER_PICKLE))) throw new Error(pickleRefusal(dir));
        return { dir, adapterName: "default", layout: "plain" };
    }
    if (!isDir(dir)) {
        // Let the config reader name the missing file (as it always has), unless the folder itself is missing.
        if (!fs.existsSync(dir)) throw new Error(`${dir}: adapter folder does not exist`);
        return { dir, adapterName: "default", layout: "plain" };
    }
    const subdirs = fs.readdirSync(dir).filter((n) => isDir(path.join(dir, n))).sort();
    const named = subdirs.filter((n) => !CHECKPOINT_RE.test(n) && fs.existsSync(path.join(dir, n, ADAPTER_CONFIG)));
    if (named.length === 1) {
        const sub = path.join(dir, named[0]!);
        if (!fs.existsSync(path.join(sub, ADAPTER_WEIGHTS)) && fs.existsSync(path.join(sub, ADAPTER_PICKLE))) throw new Error(pickleRefusal(sub));
        return { dir: sub, adapterName: named[0]!, layout: "named" };
    }
    if (named.length > 1) {
        throw new Error(`${dir}: holds ${named.length} named PEFT adapters (${named.join(", ")}) and no adapter_config.json of its own; name one by its folder, e.g. ${path.join(dir, named[0]!)}`);
    }
    const checkpoints = subdirs.filter((n) => CHECKPOINT_RE.test(n)).sort((a, b) => Number(CHECKPOINT_RE.exec(a)![1]) - Number(CHECKPOINT_RE.exec(b)![1]));
    if (checkpoints.length > 0) {
        const last = checkpoints[checkpoints.length - 1]!;
        throw new Error(`${dir}: a training run folder with ${checkpoints.length} Trainer checkpoint(s) (${checkpoints.join(", ")}) and no adapter_config.json of its own; name the checkpoint to load, e.g. ${path.join(dir, last)} (the last one)`);
    }
    if (fs.existsSync(path.join(dir, ADAPTER_PICKLE))) throw new Error(pickleRefusal(dir));
    // Nothing recognisable: the config reader's "cannot read adapter config" names the missing file.
    return { dir, adapterName: "default", layout: "plain" };
}
