//! CPU feature detection against an independent oracle, natively and under
//! `qemu-x86_64 -cpu MODEL` for every model of `QEMU_CPUS` plus models that
//! exercise the corner cases:
//! - `Haswell,-xsave`: AVX advertised, OSXSAVE off, so AVX must be off;
//! - `Haswell,level=6`: max leaf 6, so leaf 7 (and, as in Go, RDTSCP) is
//!   not read.
//!
//! The runtime's `rt0: cpu` inittrace line (GODEBUG=inittrace=1) must agree
//! key by key (all but `took`) with `tests/oracle/cpuid_oracle.rs`, a std
//! program that runs CPUID/XGETBV itself under the same CPU. Then the
//! `GODEBUG=cpu.*` options: `cpu.avx=off`, `cpu.all=off` (Go's option set
//! only), and Go 1.19's diagnostics for unknown and malformed options.

mod common;

use std::collections::BTreeMap;

use common::{Output, Runner, all_runners, example, oracle, run_program, trace_fields};

/// Models beyond `QEMU_CPUS` that the oracle comparison always covers.
const EXTRA_MODELS: [&str; 2] = ["Haswell,-xsave", "Haswell,level=6"];

/// The options Go 1.19 offers on amd64 at GOAMD64=v1 (`GODEBUG=cpu.NAME`).
const GO_OPTIONS: [&str; 15] = [
    "adx",
    "aes",
    "erms",
    "pclmulqdq",
    "rdtscp",
    "popcnt",
    "sse3",
    "sse41",
    "sse42",
    "ssse3",
    "avx",
    "avx2",
    "bmi1",
    "bmi2",
    "fma",
];

fn runners_with_extras() -> Vec<Runner> {
    let mut v = all_runners();
    for m in EXTRA_MODELS {
        let r = Runner::Qemu(m.to_string());
        if !v.contains(&r) {
            v.push(r);
        }
    }
    v
}

/// The oracle's view of the CPU on `runner`.
fn oracle_features(runner: &Runner) -> BTreeMap<String, String> {
    let out = run_program(runner, &oracle("cpuid_oracle"), &[], &[]);
    out.assert_success();
    let text = out.stdout_str();
    let map = common::fields(text.trim_end());
    assert!(map.len() >= 22, "oracle printed too little: {text:?}");
    map
}

/// The runtime's `rt0: cpu` fields (without `took`) under `godebug`.
fn rt0_features(runner: &Runner, godebug: &str) -> (BTreeMap<String, String>, Output) {
    let out = run_program(runner, &example("hello"), &[], &[("GODEBUG", godebug)]);
    out.assert_success();
    assert_eq!(out.stdout_str(), "hello, world\n", "{}", out.describe());
    let mut f = trace_fields(&out, "cpu");
    assert!(
        f.remove("took").is_some_and(|t| t.ends_with("ns")),
        "{}",
        out.describe()
    );
    (f, out)
}

fn flag(m: &BTreeMap<String, String>, k: &str) -> bool {
    match m.get(k).map(String::as_str) {
        Some("1") => true,
        Some("0") => false,
        other => panic!("{k}={other:?} in {m:?}"),
    }
}

#[test]
fn cpu_line_matches_oracle_on_every_model() {
    let mut failures = Vec::new();
    for runner in runners_with_extras() {
        let want = oracle_features(&runner);
        let (got, _) = rt0_features(&runner, "inittrace=1");
        if got != want {
            let diff: Vec<String> = want
                .keys()
                .chain(got.keys())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .filter(|k| want.get(*k) != got.get(*k))
                .map(|k| format!("{k}: rt0={:?} oracle={:?}", got.get(k), want.get(k)))
                .collect();
            failures.push(format!("[{}] {}", runner.label(), diff.join(", ")));
        }
    }
    assert!(
        failures.is_empty(),
        "rt0 and the CPUID oracle disagree:\n{}",
        failures.join("\n")
    );
}

/// The point of `-xsave`: the model advertises AVX in CPUID.1:ECX, yet
/// with OSXSAVE off nothing may use it. Checked directly, not only through
/// the oracle, so a shared mistake cannot hide it.
#[test]
fn avx_advertised_without_osxsave_is_off() {
    let runner = Runner::Qemu("Haswell,-xsave".into());
    let (got, _) = rt0_features(&runner, "inittrace=1");
    assert_eq!(got["osxsave"], "0");
    assert_eq!(got["xcr0"], "0x0");
    assert!(
        !flag(&got, "avx") && !flag(&got, "avx2") && !flag(&got, "fma"),
        "{got:?}"
    );
    // Non-AVX leaf 7 bits are unaffected.
    assert!(flag(&got, "bmi1") && flag(&got, "bmi2"), "{got:?}");
    // ...while plain Haswell has them all.
    let (full, _) = rt0_features(&Runner::Qemu("Haswell".into()), "inittrace=1");
    assert!(
        flag(&full, "avx") && flag(&full, "avx2") && flag(&full, "fma"),
        "{full:?}"
    );
}

#[test]
fn godebug_cpu_avx_off() {
    for runner in runners_with_extras() {
        let base = oracle_features(&runner);
        let (got, out) = rt0_features(&runner, "inittrace=1,cpu.avx=off");
        let mut want = base.clone();
        want.insert("avx".into(), "0".into());
        assert_eq!(got, want, "{}", out.describe());
        assert!(!out.stderr_str().contains("GODEBUG:"), "{}", out.describe());
    }
}

#[test]
fn godebug_cpu_all_off_turns_off_go_options_only() {
    for runner in runners_with_extras() {
        let base = oracle_features(&runner);
        let (got, out) = rt0_features(&runner, "cpu.all=off,inittrace=1");
        let mut want = base.clone();
        for name in GO_OPTIONS {
            want.insert(name.into(), "0".into());
        }
        // vendor, maxleaf, isintel, sse2, osxsave, avx512f, xcr0 are not
        // options on amd64: unchanged.
        assert_eq!(got, want, "{}", out.describe());
        assert!(!out.stderr_str().contains("GODEBUG:"), "{}", out.describe());
    }
}

/// Go 1.19's `processOptions` messages, in its order: per field as parsed,
/// then "can not enable" per option in the option table's order.
#[test]
fn godebug_cpu_diagnostics_as_go() {
    let godebug =
        "cpu.foo=on,cpu.avx,cpu.avx=maybe,cpu.sse2=off,x=1,cpu.=on,inittrace=1,cpu.all=maybe";
    let want = concat!(
        "GODEBUG: unknown cpu feature \"foo\"\n",
        "GODEBUG: no value specified for \"cpu.avx\"\n",
        "GODEBUG: value \"maybe\" not supported for cpu option \"avx\"\n",
        "GODEBUG: unknown cpu feature \"sse2\"\n",
        "GODEBUG: unknown cpu feature \"\"\n",
        "GODEBUG: value \"maybe\" not supported for cpu option \"all\"\n",
    );
    for runner in runners_with_extras() {
        let base = oracle_features(&runner);
        let (got, out) = rt0_features(&runner, godebug);
        let err = out.stderr_str();
        let diags: String = err
            .lines()
            .filter(|l| l.starts_with("GODEBUG:"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(diags, want, "{}", out.describe());
        assert_eq!(
            got,
            base,
            "invalid options must change nothing\n{}",
            out.describe()
        );
        // Go prints them before the runtime goes on; nothing else is lost.
        assert!(err.contains("rt0: schedinit "), "{}", out.describe());
    }
}

#[test]
fn godebug_cpu_cannot_enable_missing_feature() {
    // qemu64 has neither AVX nor AVX2 nor BMI1; Haswell,-xsave advertises
    // AVX but the OS state is off.
    for (model, godebug, want) in [
        (
            "qemu64",
            "inittrace=1,cpu.bmi1=on,cpu.avx=on,cpu.sse3=on",
            "GODEBUG: can not enable \"avx\", missing CPU support\n\
             GODEBUG: can not enable \"bmi1\", missing CPU support\n",
        ),
        (
            "Haswell,-xsave",
            "inittrace=1,cpu.avx=on",
            "GODEBUG: can not enable \"avx\", missing CPU support\n",
        ),
        ("Haswell", "inittrace=1,cpu.all=off,cpu.avx2=on", ""),
    ] {
        let runner = Runner::Qemu(model.into());
        let base = oracle_features(&runner);
        let (got, out) = rt0_features(&runner, godebug);
        let diags: String = out
            .stderr_str()
            .lines()
            .filter(|l| l.starts_with("GODEBUG:"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(diags, want, "{}", out.describe());
        if model == "Haswell" {
            // all=off then avx2=on: later fields win per option.
            assert_eq!(got["avx2"], "1", "{}", out.describe());
            assert_eq!(got["avx"], "0", "{}", out.describe());
        } else {
            assert_eq!(got, base, "{}", out.describe());
        }
    }
}
