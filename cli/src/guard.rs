//! The one `catch_unwind` in the CLI: around calls into the transform library, so that a bug
//! there (a panic) is reported as an `internal error` with exit status 1 instead of a crash.
//! The CLI's own code paths are total and never rely on this.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static INSIDE: Cell<bool> = const { Cell::new(false) };
    static MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Runs `f` (a call into `clockwork_expand`); a panic inside becomes `Err(message)`.
/// While `f` runs, the panic message is captured instead of printed.
pub fn call_library<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if INSIDE.with(Cell::get) {
                MESSAGE.with(|m| *m.borrow_mut() = Some(info.to_string()));
            } else {
                previous(info);
            }
        }));
    });
    let was = INSIDE.with(|i| i.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    INSIDE.with(|i| i.set(was));
    result.map_err(|payload| {
        MESSAGE.with(|m| m.borrow_mut().take()).unwrap_or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_string())
        })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn captures_a_panic() {
        let r: Result<(), String> = super::call_library(|| panic!("boom"));
        assert!(r.unwrap_err().contains("boom"));
        assert_eq!(super::call_library(|| 7), Ok(7));
    }
}
