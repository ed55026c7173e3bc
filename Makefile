# Two entry points: `make demo` (the main job) and `make test` (every check).
# Both create what they need: .venv (CPython 3.11), the wheel in dist/, and .venv-3.x
# for the other interpreters pyenv provides.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OTHER_PYTHONS ?= 3.10 3.12 3.13
DIFF_CASES ?= 200000
DIFF_CASES_OTHER ?= 20000
GENERATION_CASES ?= 50000
# mypy sees our package under the name the import hook gives it, through a link.
MYPY_PATH := .cache/mypy-path

.PHONY: chart demo test lint rust-test py-test other-pythons debian-download debian-pythons dropin build bench bench-floor clean fuzz fuzz-smoke cargo-fuzz hardening \
  mutants mutants-rust mutants-py cargo-mutants \
  wheels wheel-aarch64 sdist cross-tools release-check platforms arm64-python cross-cargo-test wheel-audit sdist-test

$(VENV)/.installed: requirements/dev.txt requirements/test.txt requirements/demo.txt \
    requirements/frameworks.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -r requirements/dev.txt -r requirements/demo.txt \
	  -r requirements/frameworks.txt
	touch $@

# Release wheels (README "Install"): maturin --zig, with zig from PyPI (requirements/wheels.txt)
# as the cross linker against old glibc/musl and macOS stubs; rustup adds the targets.
# `make build` is the manylinux_2_17 x86_64 wheel, the one the tests install and we ship.
$(VENV)/.wheels-installed: $(VENV)/.installed requirements/wheels.txt
	$(BIN)/pip install --quiet -r requirements/wheels.txt
	touch $@

RUST_TARGETS := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl \
  aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu \
  s390x-unknown-linux-gnu
.cache/rust-targets: Makefile
	rustup target add $(RUST_TARGETS)
	mkdir -p .cache && touch $@

# Debian's packages for the cross proofs and the Windows link (installed once, system-wide as
# the machine's other tools): qemu-user-static runs ARM64 and s390x binaries; the cross gccs
# link `cargo test` for those targets against Debian's cross libc; mingw-w64 links Windows.
CROSS_PACKAGES := qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
  gcc-s390x-linux-gnu libc6-dev-s390x-cross musl-tools gcc-mingw-w64-x86-64-win32 \
  binutils-mingw-w64-x86-64
CROSS_COMMANDS := qemu-aarch64-static qemu-s390x-static aarch64-linux-gnu-gcc s390x-linux-gnu-gcc musl-gcc \
  x86_64-w64-mingw32-gcc x86_64-w64-mingw32-objdump
# Root here; sudo on a hosted runner (the release workflow).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
cross-tools:
	@for c in $(CROSS_COMMANDS); do command -v $$c > /dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    --no-install-recommends $(CROSS_PACKAGES) > /dev/null; \
	fi

# maturin finds zig as `python -m ziglang` on PATH: .venv's python first.
ZIG_BUILD = PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/maturin build --release --quiet --zig -o dist
NATIVE_WHEEL = dist/signalwire_security_native-*manylinux_2_17_x86_64.whl

build: $(VENV)/.wheels-installed .cache/rust-targets
	rm -rf dist
	$(ZIG_BUILD) --target x86_64-unknown-linux-gnu --compatibility manylinux_2_17
	$(BIN)/pip install --quiet --force-reinstall --no-deps $(NATIVE_WHEEL)

wheel-aarch64: build
	$(ZIG_BUILD) --target aarch64-unknown-linux-gnu --compatibility manylinux_2_17

sdist: build
	$(BIN)/maturin sdist --out dist

# Every release artefact into dist/, then the table (.ci/wheels.py). Windows is built with
# Debian's mingw-w64 as the linker (zig's link of the dotted module name fails: README).
wheels: wheel-aarch64 sdist cross-tools
	$(ZIG_BUILD) --target x86_64-unknown-linux-musl --compatibility musllinux_1_2
	$(ZIG_BUILD) --target aarch64-unknown-linux-musl --compatibility musllinux_1_2
	$(ZIG_BUILD) --target universal2-apple-darwin
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/maturin build --release --quiet -o dist \
	  --target x86_64-pc-windows-gnu
	$(BIN)/python .ci/wheels.py dist

demo: build
	$(BIN)/python demo/receiver.py
	$(BIN)/python demo/flask_receiver.py

lint: build $(VENV)/.wheels-installed $(MYPY_PATH)/signalwire/core/security
	cargo fmt --check
	cargo fmt --check --manifest-path benches/floor/Cargo.toml
	cargo fmt --check --manifest-path fuzz/Cargo.toml
	cargo clippy --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --features python -- -D warnings
	$(BIN)/ruff check python tests demo benches fuzz .ci
	$(BIN)/ruff format --check python tests demo benches fuzz .ci
	$(BIN)/mypy --strict .ci/debian_pythons.py .ci/wheels.py
	$(BIN)/zizmor --offline --quiet .github/workflows
	MYPYPATH=python $(BIN)/mypy --strict -p signalwire_security_native
	MYPYPATH=$(MYPY_PATH):tests $(BIN)/mypy --strict --explicit-package-bases \
	  --exclude tests/dropin tests
	MYPYPATH=$(MYPY_PATH) $(BIN)/python -m mypy.stubtest signalwire.core.security._native

# The crate on its own: tests and doctests, documentation without warnings, the example.
rust-test:
	cargo test
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
	echo -n '{"event":"call.state","params":{"call_id":"abc-123","state":"answered"}}' \
	  | SIGNALWIRE_SIGNING_KEY=PSKold,PSKtest1234567890abcdef cargo run --quiet --example verify_webhook -- \
	    https://example.ngrok.io/webhook c3c08c1fefaf9ee198a100d5906765a6f394bf0f

# test_generations.py takes its donor parse.py files from pyenv's and Debian's interpreters.
py-test: build debian-download
	cd tests && SW_DIFF_CASES=$(DIFF_CASES) SW_GENERATION_CASES=$(GENERATION_CASES) \
	  ../$(BIN)/python -m pytest -p no:cacheprovider

# The differential tests again on each other interpreter, against the same abi3 wheel.
OTHER_TESTS := test_differential.py test_quirks.py test_vectors.py test_api.py \
  test_middleware_differential.py test_dependency.py test_asgi.py test_extras.py \
  test_bad_input.py test_secrets.py test_concurrency_memory.py \
  test_generations.py test_layers.py \
  test_strict.py test_wsgi.py test_flask.py test_django.py test_testing_helpers.py \
  test_reference_pin.py test_form_paths.py test_header_rule.py test_messages.py test_rules.py \
  test_mutants.py
# The attack suites and the README's blocks (real servers, whole deployments: the CI budget)
# run on 3.11 in py-test and again on the oldest and the newest interpreter.
EDGE_TESTS := test_attack.py test_attack_findings.py test_readme.py
EDGE_PYTHONS := 3.10 3.15
edge = $$(case " $(EDGE_PYTHONS) " in *" $(1) "*) echo $(EDGE_TESTS);; esac)
OTHER_ENV = SW_DIFF_CASES=$(DIFF_CASES_OTHER) SW_THREAD_CALLS=20000 SW_LEAK_CALLS=1000000

other-pythons: build
	set -e; for v in $(OTHER_PYTHONS); do \
	  py=$$(ls -d "$$(pyenv root)"/versions/$$v.*/bin/python3 | sort -V | tail -n 1); \
	  test -x "$$py" || { echo "no CPython $$v under pyenv" >&2; exit 1; }; \
	  [ -x .venv-$$v/bin/python ] || "$$py" -m venv .venv-$$v; \
	  .venv-$$v/bin/pip install --quiet -r requirements/test.txt -r requirements/demo.txt \
	    -r requirements/frameworks.txt; \
	  .venv-$$v/bin/pip install --quiet --force-reinstall --no-deps $(NATIVE_WHEEL); \
	  echo "== CPython $$v"; \
	  (cd tests && $(OTHER_ENV) ../.venv-$$v/bin/python -m pytest -p no:cacheprovider -q $(OTHER_TESTS) $(call edge,$$v)); \
	done

# The same tests on Debian's own builds (.ci/debian_pythons.py: downloaded once into
# .cache/debian-python, started through their own libc): trixie's 3.13 and the newest
# 3.13, 3.14 and 3.15. There is no pip there: the reference wheel is fetched with .venv's,
# test dependencies are pip-installed per interpreter into .cache/debian-python/site-LABEL
# (again only when the requirements change, on PYTHONPATH), the wheel into the interpreter's
# own usr/lib/python3/dist-packages, a site directory (its .pth files are processed).
DEBIAN_PYTHONS ?= 3.13-trixie 3.13 3.14 3.15
DEBIAN_CACHE := .cache/debian-python

debian-download:
	mkdir -p $(DEBIAN_CACHE)
	$(PYTHON) .ci/debian_pythons.py $(DEBIAN_PYTHONS) > $(DEBIAN_CACHE)/launchers

debian-pythons: build debian-download
	set -e; \
	(cd tests && ../$(BIN)/python -c 'import reference; reference.load("webhook_validator")'); \
	while read -r label py; do \
	  series=$${label%-trixie}; site=$(DEBIAN_CACHE)/site-$$label; \
	  want=$$(cat requirements/test.txt requirements/demo.txt requirements/frameworks.txt | sha256sum); \
	  if [ "$$(cat $$site/.stamp 2>/dev/null)" != "$$want" ]; then \
	    rm -rf $$site; \
	    $(BIN)/pip install --quiet --target $$site --python-version $$series --only-binary=:all: \
	      -r requirements/test.txt -r requirements/demo.txt -r requirements/frameworks.txt; \
	    echo "$$want" > $$site/.stamp; \
	  fi; \
	  wheel=$$(dirname "$$py")/../usr/lib/python3/dist-packages; rm -rf $$wheel; \
	  $(BIN)/pip install --quiet --target $$wheel --python-version $$series --only-binary=:all: \
	    --no-deps $(NATIVE_WHEEL); \
	  sed "1s|.*|#!$$py|" $$wheel/bin/signalwire-webhook > "$$(dirname "$$py")/signalwire-webhook"; \
	  chmod +x "$$(dirname "$$py")/signalwire-webhook"; \
	  echo "== Debian CPython $$label: $$("$$py" -c 'import sys; print(sys.version.split()[0])')"; \
	  (cd tests && PYTHONPATH=$(CURDIR)/$$site $(OTHER_ENV) \
	     "$$py" -m pytest -p no:cacheprovider -q $(OTHER_TESTS) $(call edge,$$label)) < /dev/null; \
	done < $(DEBIAN_CACHE)/launchers

# Other CPUs and C libraries (README "Install"), run here under qemu-user-static:
# - the aarch64 wheel on Debian's arm64 CPython (.ci/debian_pythons.py 3.13-trixie-arm64):
#   the differential tests (ARM64_CASES seeded cases) with the large forms that drive the
#   NEON lanes, and tests/test_platform.py (the .pth hook from the site dir, the CLI);
# - the core's `cargo test` for aarch64 (qemu), x86_64 musl (natively) and s390x, a
#   big-endian CPU (qemu), linked by Debian's cross gccs against Debian's cross libcs;
# - the audit of every Linux wheel in dist/ (tests/install/test_wheels.py) and the sdist
#   built by pip in a fresh venv (tests/install/test_sdist.py).
ARM64_LABEL := 3.13-trixie-arm64
ARM64_ROOT := $(DEBIAN_CACHE)/$(ARM64_LABEL)
ARM64_CASES ?= 3000
ARM64_TESTS := test_differential.py test_platform.py test_vectors.py

arm64-python: wheel-aarch64 cross-tools
	set -e; mkdir -p $(DEBIAN_CACHE); \
	py=$$($(PYTHON) .ci/debian_pythons.py $(ARM64_LABEL) | cut -d' ' -f2); \
	(cd tests && ../$(BIN)/python -c 'import reference; reference.load("webhook_validator")'); \
	site=$(DEBIAN_CACHE)/site-$(ARM64_LABEL); want=$$(sha256sum < requirements/test.txt); \
	if [ "$$(cat $$site/.stamp 2>/dev/null)" != "$$want" ]; then \
	  rm -rf $$site; \
	  $(BIN)/pip install --quiet --target $$site --python-version 3.13 --only-binary=:all: \
	    --platform manylinux_2_17_aarch64 -r requirements/test.txt; \
	  echo "$$want" > $$site/.stamp; \
	fi; \
	wheel=$(ARM64_ROOT)/usr/lib/python3/dist-packages; rm -rf $$wheel; \
	$(BIN)/pip install --quiet --target $$wheel --python-version 3.13 --only-binary=:all: \
	  --platform manylinux_2_17_aarch64 --no-deps dist/*manylinux_2_17_aarch64.whl; \
	sed "1s|.*|#!$$py|" $$wheel/bin/signalwire-webhook > $(ARM64_ROOT)/bin/signalwire-webhook; \
	chmod +x $(ARM64_ROOT)/bin/signalwire-webhook; \
	echo "== Debian arm64 CPython under qemu: $$("$$py" -c 'import platform, sys; print(sys.version.split()[0], platform.machine())')"; \
	cd tests && PYTHONPATH=$(CURDIR)/$$site SW_DIFF_CASES=$(ARM64_CASES) SW_HYPOTHESIS_EXAMPLES=100 \
	  SW_PYTHON=$$py SW_CLI=$(CURDIR)/$(ARM64_ROOT)/bin/signalwire-webhook \
	  "$$py" -m pytest -p no:cacheprovider -q $(ARM64_TESTS) < /dev/null

# Optimised (opt-level 1) with debug assertions and overflow checks kept: under emulation the
# unoptimised large-form tests take minutes.
CROSS_CARGO_TEST = CARGO_PROFILE_DEV_OPT_LEVEL=1 cargo test --quiet
cross-cargo-test: cross-tools .cache/rust-targets
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64-static -L /usr/aarch64-linux-gnu" \
	  $(CROSS_CARGO_TEST) --target aarch64-unknown-linux-gnu
	CC_x86_64_unknown_linux_musl=musl-gcc $(CROSS_CARGO_TEST) --target x86_64-unknown-linux-musl
	CARGO_TARGET_S390X_UNKNOWN_LINUX_GNU_LINKER=s390x-linux-gnu-gcc \
	CARGO_TARGET_S390X_UNKNOWN_LINUX_GNU_RUNNER="qemu-s390x-static -L /usr/s390x-linux-gnu" \
	  $(CROSS_CARGO_TEST) --target s390x-unknown-linux-gnu

wheel-audit: wheel-aarch64 $(VENV)/.wheels-installed
	cd tests && ../$(BIN)/python -m pytest -p no:cacheprovider -q install/test_wheels.py

sdist-test: sdist
	cd tests && ../$(BIN)/python -m pytest -p no:cacheprovider -q install/test_sdist.py

platforms: wheel-audit arm64-python cross-cargo-test sdist-test

# The release workflow's check on each native runner (.github/workflows/release.yml): the
# wheel in dist/ that pip picks for this platform, in a fresh venv, against the reference.
RELEASE_VENV := .venv-release
RELEASE_BIN = $(RELEASE_VENV)/$(if $(filter Windows_NT,$(OS)),Scripts,bin)
release-check:
	$(PYTHON) -m venv $(RELEASE_VENV)
	$(RELEASE_BIN)/python -m pip install --quiet -r requirements/test.txt
	$(RELEASE_BIN)/python -m pip install --quiet --no-index --find-links dist \
	  --only-binary=:all: signalwire-security-native
	cd tests && SW_DIFF_CASES=20000 ../$(RELEASE_BIN)/python -m pytest -p no:cacheprovider -q \
	  test_differential.py test_vectors.py test_platform.py

# Install scenarios next to signalwire-sdk 3.7.5 (tests/install): each in a fresh venv with
# real pip, from a wheelhouse of the SDK's pinned dependencies (downloaded once).
WHEELHOUSE := .cache/wheelhouse
$(WHEELHOUSE)/.complete: requirements/sdk.txt $(VENV)/.installed
	$(BIN)/pip download --quiet --only-binary=:all: -d $(WHEELHOUSE) -r requirements/sdk.txt pip==25.3
	touch $@

# An older SDK for the scenario of tests/install/test_scenarios.py::test_s6_older_sdk (3.5.1:
# the same security modules as 3.7.5, so ours is served).
OLDER_SDK := 3.5.1
$(WHEELHOUSE)/.older: $(VENV)/.installed
	$(BIN)/pip download --quiet --only-binary=:all: --no-deps -d $(WHEELHOUSE) \
	  signalwire-sdk==$(OLDER_SDK)
	touch $@

$(MYPY_PATH)/signalwire/core/security:
	mkdir -p $(MYPY_PATH)/signalwire/core
	ln -sfn $(CURDIR)/python/signalwire_security_native/security $@

dropin: build $(WHEELHOUSE)/.complete $(WHEELHOUSE)/.older $(MYPY_PATH)/signalwire/core/security
	cd tests && ../$(BIN)/python -m pytest -p no:cacheprovider -q install/test_scenarios.py \
	  install/test_testing_extra.py
	MYPYPATH=$(MYPY_PATH):tests:tests/dropin $(BIN)/mypy --strict \
	  --python-executable .cache/install-scenarios/s1/bin/python tests/dropin

test: lint rust-test py-test other-pythons debian-pythons dropin platforms fuzz-smoke

# Fuzzing (fuzz/README.md): cargo-fuzz's nightly flags on the stable toolchain, through
# RUSTC_BOOTSTRAP. `make fuzz` runs each target FUZZ_SECONDS; the test run smoke-tests them.
FUZZ_TARGETS := validators urlsplit form params
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 20
CARGO_FUZZ_VERSION := 0.13.2

cargo-fuzz:
	cargo fuzz --version 2>/dev/null | grep -qx 'cargo-fuzz $(CARGO_FUZZ_VERSION)' \
	  || cargo install --quiet --locked cargo-fuzz --version =$(CARGO_FUZZ_VERSION)

fuzz-smoke fuzz: cargo-fuzz $(VENV)/.installed
	$(BIN)/python fuzz/seed.py
	set -e; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t"; \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run --debug-assertions $$t fuzz/corpus/$$t -- \
	    -max_total_time=$(if $(filter fuzz,$@),$(FUZZ_SECONDS),$(FUZZ_SMOKE_SECONDS)) \
	    -print_final_stats=1 2>&1 | grep -E '^(#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|peak_rss_mb)|Done )|panicked|ERROR|SUMMARY|artifact'; \
	  test "$${PIPESTATUS[0]}" -eq 0; \
	done

# Mutation testing (CONTRIBUTING.md, "Mutation testing"; not part of `make test`, see there
# for its run time). `mutants-rust`: cargo-mutants changes one thing at a time in the core's
# security-deciding files and `cargo test` must fail for each change; the equivalent
# mutants it skips are listed with their reasons in .cargo/mutants.toml. The outcome lists
# (caught.txt, missed.txt, ...) go to $(MUTANTS_OUT)/mutants.out.
CARGO_MUTANTS_VERSION := 27.1.0
MUTANTS_FILES := src/scheme.rs src/keyring.rs src/candidates.rs src/validate.rs \
  src/urlsplit.rs src/form_message.rs
MUTANTS_JOBS ?= 2
MUTANTS_OUT ?= .cache/mutants

cargo-mutants:
	cargo mutants --version 2>/dev/null | grep -qx 'cargo-mutants $(CARGO_MUTANTS_VERSION)' \
	  || cargo install --quiet --locked cargo-mutants --version =$(CARGO_MUTANTS_VERSION)

mutants: mutants-rust mutants-py

# A timed-out mutant (an endless loop: the tests never pass) counts as caught, but
# cargo-mutants' exit status for timeouts (3) takes precedence over the one for missed
# mutants (2), so the missed list itself decides.
mutants-rust: cargo-mutants
	mkdir -p $(MUTANTS_OUT)
	status=0; cargo mutants --jobs $(MUTANTS_JOBS) $(addprefix --file ,$(MUTANTS_FILES)) \
	  --output $(MUTANTS_OUT) || status=$$?; \
	if [ -s $(MUTANTS_OUT)/mutants.out/missed.txt ]; then \
	  echo "missed mutants (kill with a test, or list as equivalent in .cargo/mutants.toml):" >&2; \
	  cat $(MUTANTS_OUT)/mutants.out/missed.txt >&2; exit 2; \
	fi; \
	[ $$status -eq 0 ] || [ $$status -eq 3 ]

# Mutation testing of the security-deciding Python (tests/mutants.py; not part of `make
# test`: each mutant runs its module's tests). MUTANTS_PY picks modules (or MODULE:LINE,LINE).
# Mutants are written over the wheel installed in a venv of their own, never .venv's.
MUTANTS_PY ?=
MUTANTS_VENV := .venv-mutants
mutants-py: build
	[ -x $(MUTANTS_VENV)/bin/python ] || $(PYTHON) -m venv $(MUTANTS_VENV)
	$(MUTANTS_VENV)/bin/pip install --quiet -r requirements/test.txt -r requirements/demo.txt \
	  -r requirements/frameworks.txt
	$(MUTANTS_VENV)/bin/pip install --quiet --force-reinstall --no-deps $(NATIVE_WHEEL)
	cd tests && ../$(MUTANTS_VENV)/bin/python mutants.py $(MUTANTS_PY)

# Benchmarks (not part of `make test`): criterion for the core, then the side-by-side
# Python comparison against the reference, twilio and the floor (benches/README.md).
$(VENV)/.bench-installed: $(VENV)/.installed requirements/bench.txt
	$(BIN)/pip install --quiet -r requirements/bench.txt
	touch $@

bench-floor: $(VENV)/.bench-installed
	rm -rf dist-bench
	$(BIN)/maturin build --release --quiet -m benches/floor/Cargo.toml -o dist-bench
	$(BIN)/pip install --quiet --force-reinstall --no-deps dist-bench/*.whl

# The README's chart (benches/scaling.png), from a scaling run of the hardest shape.
CHART_SIZES ?= 1,10,50,500,5120,10240
chart: build $(VENV)/.bench-installed
	$(BIN)/python benches/scaling.py --shape "distinct names, escapes" --sizes $(CHART_SIZES) \
	  --json benches/scaling.json
	$(BIN)/python benches/chart.py benches/scaling.json benches/scaling.png

bench: build bench-floor
	cargo bench --bench core -- --noplot
	$(BIN)/python benches/compare.py
	$(BIN)/python benches/scaling.py
	$(BIN)/python benches/memory.py
	$(BIN)/python benches/gil_threshold.py
	$(BIN)/python benches/load_middleware.py

# Hardening figures (README "Hardening"; not part of `make test`): every fuzz target for
# FUZZ_SECONDS, the timing-leak test, 1 vs 2 threads above the GIL threshold, the load run.
hardening: build fuzz
	$(BIN)/python benches/timing.py
	$(BIN)/python benches/gil_threshold.py
	$(BIN)/python benches/load_demo.py
	$(BIN)/python benches/load_demo.py --receiver flask

clean:
	rm -rf dist dist-bench target benches/floor/target .venv .venv-3.* .cache
