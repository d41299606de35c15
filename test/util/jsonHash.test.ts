import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonHash } from "../../src/util/jsonHash.ts";

// Reference: Python's hashlib.sha256(b'{"a":1,"b":[1,"x"]}').hexdigest(). Cache folder names depend on this value.
const REFERENCE = "677ba3966fe15b482a9751f84bc33a0571252aae740dd82f55c8b9dcc2554334";

test("jsonHash is sha256 of the JSON text, cut to the caller's length", () => {
    assert.equal(jsonHash({ a: 1, b: [1, "x"] }), REFERENCE);
    assert.equal(jsonHash({ a: 1, b: [1, "x"] }, 12), REFERENCE.slice(0, 12));
    assert.notEqual(jsonHash({ b: [1, "x"], a: 1 }, 12), REFERENCE.slice(0, 12), "key order is part of the key");
});
