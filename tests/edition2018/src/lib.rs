//! Edition 2018 twin of the differential tests; see tests/.
