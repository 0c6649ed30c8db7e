# Sodate — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
APP := target/debug/sodate-desktop

.PHONY: run test deps deps-test ui build-all test-rust test-ui test-ocr test-e2e lint bench bindings fmt clean

## Install what is missing, build, and start the desktop app on its default database.
run: deps build-all
	$(APP)

## Install what is missing and run every test: Rust, UI, end-to-end against the real app.
test: deps-test ui build-all test-rust test-ui test-ocr test-e2e

deps:
	scripts/install-deps.sh run

deps-test:
	scripts/install-deps.sh test

ui:
	npm --prefix ui run build

# The app, the CLI and the test binaries in one build with one feature set, so that
# `make run`, `cargo test` and the end-to-end tests share every compiled dependency.
build-all: ui
	$(CARGO) build --workspace --all-targets

test-rust: build-all
	$(CARGO) test --workspace

test-ui:
	npm --prefix ui test

## OCR accuracy on the rendered cards (docs/OCR.md); fails below the targets.
test-ocr: build-all
	node tests/ocr/accuracy.mjs

test-e2e: build-all
	tests/e2e/run.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	npm --prefix ui run check
	npm --prefix ui run lint

fmt:
	$(CARGO) fmt --all

## Benchmarks on a fresh 1M-lead demo database (release build); figures go to docs/BENCHMARKS.md.
bench:
	$(CARGO) build --release -p sodate-cli
	target/release/sodate bench --leads $${LEADS:-1000000}

## Regenerate ui/src/lib/ipc/bindings.ts from the Rust commands.
bindings:
	UPDATE_BINDINGS=1 $(CARGO) test -p sodate-desktop bindings_are_up_to_date

clean:
	$(CARGO) clean
	rm -rf ui/build ui/node_modules tests/e2e/node_modules tests/e2e/artifacts
