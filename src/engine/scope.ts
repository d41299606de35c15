/**
 * Deterministic tensor lifetimes. Every Tensor created while a scope is open is registered in it; when the
 * scope closes, every registered tensor is disposed except the ones the scope returns (which move to the
 * enclosing scope) and the ones passed to keep(). Tensors created outside any scope are the caller's to dispose.
 *
 * Why: tensors freed by V8's garbage collector make each op fault in fresh pages (engine.md pitfall 3), and GC
 * never sees native memory pressure. With scopes, memory in a training loop stays flat.
 *
 * Example:
 *   const loss = tidy(() => model.forward(ids).logSoftmax(-1).mean());  // intermediates freed here
 */
export interface Disposable {
    dispose(): void;
    readonly isDisposed: boolean;
}

const stack: Set<Disposable>[] = [];

/** Called by the Tensor constructor. */
export function track(t: Disposable): void {
    stack[stack.length - 1]?.add(t);
}

/** Removes a tensor from every open scope, so it outlives them (model weights, optimizer state, caches). */
export function keep<T extends Disposable>(t: T): T {
    for (const s of stack) s.delete(t);
    return t;
}

/** Runs fn in a scope; disposes what it created except the tensors inside its result. */
export function tidy<R>(fn: () => R): R {
    const scope = new Set<Disposable>();
    stack.push(scope);
    let result: R;
    try {
        result = fn();
    } catch (err) {
        stack.pop();
        for (const t of scope) t.dispose();
        throw err;
    }
    stack.pop();
    if (result instanceof Promise) {
        for (const t of scope) t.dispose();
        throw new Error("tidy(): fn must be synchronous; await outside the scope");
    }
    const survivors = new Set<Disposable>();
    collect(result, survivors);
    const parent = stack[stack.length - 1];
    for (const t of scope) {
        if (survivors.has(t)) parent?.add(t);
        else t.dispose();
    }
    return result;
}

function collect(value: unknown, out: Set<Disposable>, depth = 0): void {
    if (value === null || typeof value !== "object" || depth > 4) return;
    if (isDisposable(value)) {
        out.add(value);
        return;
    }
    if (Array.isArray(value)) {
        for (const v of value) collect(v, out, depth + 1);
    } else if (value instanceof Map) {
        for (const v of value.values()) collect(v, out, depth + 1);
    } else if (Object.getPrototypeOf(value) === Object.prototype) {
        for (const v of Object.values(value)) collect(v, out, depth + 1);
    }
}

function isDisposable(v: object): v is Disposable {
    return typeof (v as Disposable).dispose === "function" && "isDisposed" in v;
}

/** Disposes every tensor in a (possibly nested) array / object / Map. */
export function disposeAll(value: unknown): void {
    const found = new Set<Disposable>();
    collect(value, found);
    for (const t of found) t.dispose();
}
