# Two commands for users: `make demo` and `make test`. Each runs the idempotent setup first.
SHELL := /bin/bash
.PHONY: setup demo test bench typecheck clean

setup:
	@bash scripts/setup.sh

demo: setup
	@source scripts/env.sh && bin/ia demo

typecheck: setup
	@npx tsc --noEmit -p tsconfig.json

# Node 20's test runner does not expand globs: list the files here.
TESTS = $(shell find test -name '*.test.ts' | sort)

test: setup typecheck
	@source scripts/env.sh && node --import tsx --test --test-concurrency=1 $(TESTS)

bench:
	@bash scripts/setup.sh --bench
	@source scripts/env.sh && bin/ia bench-engine && node --import tsx bench/organisms.ts

clean:
	rm -rf build runs .cache
