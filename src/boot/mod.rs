//! The bootstrap: everything rt0_go calls before the scheduler runs.
//! In order: `check`, `args`, `osinit`, `schedinit` (with `cpuinit`);
//! `entry` holds the asm itself, `inittrace` the GODEBUG=inittrace=1 lines,
//! `stacksize` the RT0_STACK and RT0_MAIN_STACK variables.

pub mod args;
pub mod check;
pub mod cpu;
pub mod entry;
pub mod godebug;
pub mod inittrace;
pub mod osinit;
pub mod schedinit;
pub mod stacksize;
