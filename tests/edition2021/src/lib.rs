//! Edition 2021 twin of the differential tests; see tests/.
