# The two commands a newcomer needs: `make run` and `make test`. Each installs what it needs.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test lint bench build ui deps deps-test screenshot

## run: the desktop app with demo data
run: deps build
	scripts/run-demo.sh

## test: the lints, then every test: Rust (unit, integration, end to end in a real window), then the UI's own
test: deps-test build lint
	xvfb-run -a -s "-screen 0 1280x860x24" cargo test --workspace
	scripts/api-contract.sh
	cd ui && npm test
	@# The TypeScript types are generated from the Rust types by the run above; in CI they
	@# must match what is committed, so the two sides can never drift apart.
	@if [[ "$${CI:-}" == true ]] && [[ -n "$$(git status --porcelain -- ui/src/bindings)" ]]; then \
	  echo "ui/src/bindings is out of date with the Rust types: run cargo test and commit it"; \
	  git status --porcelain -- ui/src/bindings; exit 1; fi

## lint: formatting and clippy, warnings refused (tests may unwrap, production code may not)
lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings

## bench: the speed and memory figures the issues name, each beside its reference
## (first_screen opens real windows: the whole run is under Xvfb)
bench: deps-test ui
	cargo build --release -p fieldcase-cli -p fieldcase-bench -p fieldcase-desktop -p fieldcase-bare-window
	xvfb-run -a -s "-screen 0 1280x860x24" "$${CARGO_TARGET_DIR:-target}/release/fieldcase-bench"

## screenshot: refresh the README's screenshots from the end-to-end tests
screenshot: deps-test build
	FIELDCASE_UPDATE_SCREENSHOT=1 xvfb-run -a -s "-screen 0 1280x860x24" cargo test --workspace --test desktop --test desktop_uploads --test desktop_settings --test desktop_day

build: ui
	cargo build --workspace --bins

ui:
	cd ui && npm run build

deps:
	scripts/install-deps.sh

deps-test:
	scripts/install-deps.sh test
