//! The G-M-P scheduler: goroutines (G) run on OS threads (M) that hold
//! processors (P). Go's `proc.go`, `runtime2.go`, `lock_futex.go`.

pub mod checkdead;
pub mod conf;
pub mod context;
pub(crate) mod defers;
pub mod g;
pub mod lock;
pub mod lockosthread;
pub mod m;
pub mod mcache;
pub mod newm;
pub mod p;
pub mod preempt;
pub mod proc;
pub mod procresize;
pub(crate) mod proto;
pub mod runq;
pub mod runtime_main;
pub mod scavenge;
#[allow(clippy::module_inception)]
pub mod sched;
pub mod schedule;
pub mod signal;
pub mod sigpipe;
pub(crate) mod sigqueue;
pub mod sigtable;
pub mod stack;
pub mod steal;
pub mod stw;
pub mod syscall;
pub mod sysmon;
pub(crate) mod timerheap;
pub(crate) mod wakeup;
