//! A library that panics on a page's text becomes an error at that page, not a crashed build.
//!
//! pulldown-cmark 0.13.6 panics on some unusual markdown (a heading attribute block on its own
//! line under a setext underline inside a list item: `- {  }\n    {  }\n  -`; upstream issue
//! pulldown-cmark#963, fixed since, was a relative). Every call stillpoint makes with a page's
//! text into the markdown parser, the math converter and the code highlighter goes through
//! [`catch`], which turns such a panic into an `Err`: the parser's and the converter's are
//! reported at the file and line that set them off (`markdown::events`, `math::to_mathml`); a
//! code block the highlighter panics on is shown plain, as one its grammar fails on.
//!
//! Rust prints a panic through the panic hook before it unwinds, even when it is caught. The
//! binary calls [`install_hook`] first thing, so a caught panic prints nothing and the owner
//! sees only the error; a panic anywhere else is printed as before. The one piece of state is a
//! per-thread count of the [`catch`] calls running on that thread.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// How many [`catch`] calls are running on this thread (they may nest).
    static CATCHING: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f`; a panic inside it becomes `Err` with the panic's message (or "no message" when
/// the payload is not a string). Meant for calls into libraries with the page's text: the
/// caller knows the file and says where. Nothing `f` borrows is used after a panic but the
/// text it read, so no broken state is seen (hence the `AssertUnwindSafe`).
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    CATCHING.with(|c| c.set(c.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get().saturating_sub(1)));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string())
    })
}

/// Whether a [`catch`] is running on this thread: a panic now will be caught and reported.
pub fn catching() -> bool {
    CATCHING.with(|c| c.get() > 0)
}

/// Wraps the current panic hook so that it stays silent for panics that [`catch`] will catch
/// and runs as before for every other panic. Call it once, at the start of a program (the
/// binary does; the fuzz targets do after libFuzzer has set its aborting hook, so a caught
/// library panic is tested as the error it becomes and any other panic still aborts).
pub fn install_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !catching() {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_the_count_goes_back() {
        let r: Result<(), String> = catch(|| panic!("bad {}", 42));
        assert_eq!(r, Err("bad 42".to_string()));
        let r: Result<(), String> = catch(|| std::panic::panic_any(7u8));
        assert_eq!(r, Err("no message".to_string()));
        assert_eq!(catch(|| 5), Ok(5));
        assert!(!catching());
        assert_eq!(catch(catching), Ok(true));
    }
}
