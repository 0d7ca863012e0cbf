//! The API frictions of issue 13, each gone, shown by real programs run
//! natively and under qemu-x86_64:
//!
//! - `api_errors`: the channel errors are `Debug` for every `T` (the
//!   program's payload has no `Debug`: it would not compile otherwise),
//!   with std's `Display` texts and `core::error::Error`.

mod common;

use common::expect;
use common::{example, native_and_one_qemu, run_program};

#[test]
fn channel_errors_are_std_shaped() {
    let want = "\
unwrap ok value=2
try_send_full debug=Full(..) display=sending on a full channel dyn=sending on a full channel source=true
try_recv_empty debug=Empty display=receiving on an empty channel dyn=receiving on an empty channel source=true
send_closed value_back=5
send_closed debug=SendError { .. } display=sending on a closed channel dyn=sending on a closed channel source=true
try_send_closed value_back=6
try_send_closed debug=Closed(..) display=sending on a closed channel dyn=sending on a closed channel source=true
recv_closed debug=RecvError display=receiving on a closed channel dyn=receiving on a closed channel source=true
try_recv_closed debug=Closed display=receiving on a closed channel dyn=receiving on a closed channel source=true
from_send_error=Closed(..)
from_recv_error=Closed
boxed=sending on a closed channel debug=SendError { .. }
";
    for r in native_and_one_qemu() {
        let out = run_program(&r, &example("api_errors"), &[], &[]);
        assert_eq!(out.code(), Some(0), "{}", out.describe());
        assert_eq!(out.stdout_str(), want, "{}", out.describe());
        assert_eq!(out.stderr_str(), "", "{}", out.describe());
    }
}

#[test]
fn unwrap_of_a_closed_send_panics_with_the_debug_text() {
    for r in native_and_one_qemu() {
        let out = run_program(&r, &example("api_errors"), &["unwrap_closed"], &[]);
        let ctx = out.describe();
        assert_eq!(out.code(), Some(2), "{ctx}");
        assert_eq!(out.stdout_str(), "", "{ctx}");
        let rep = expect::one_report(&out);
        assert_eq!(
            rep.head,
            ["panic: called `Result::unwrap()` on an `Err` value: SendError { .. }"],
            "{ctx}"
        );
    }
}
