//! STUB
use super::elf::Image;
pub(crate) struct Line {
    pub(crate) line: u32,
}
impl Line {
    pub(crate) fn write_path<W: core::fmt::Write>(&self, _w: &mut W) {}
}
pub(crate) fn lookup(_i: &Image, _pc: u64) -> Option<Line> {
    None
}
pub(crate) fn find_row(_i: &Image, _f: &str, _l: u32, _c: u32) -> Option<u64> {
    None
}
