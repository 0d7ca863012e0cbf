//! STUB
use super::elf::Image;
pub(crate) struct Symbol {
    pub(crate) start: u64,
    pub(crate) name: &'static [u8],
}
pub(crate) fn lookup(_i: &Image, _pc: u64) -> Option<Symbol> {
    None
}
pub(crate) fn write_name<W: core::fmt::Write>(_w: &mut W, _n: &[u8]) {}
