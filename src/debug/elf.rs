//! STUB
pub(crate) struct Image;
pub(crate) fn image() -> Option<&'static Image> {
    None
}
pub(crate) fn exe_path(_b: &mut [u8]) -> Option<&[u8]> {
    None
}
