//! glyde-session: the auth-session decision for Next.js servers, in native code.
//!
//! `core` holds every rule (cookies, tokens, the refresh protocol, the decision, single flight)
//! as plain Rust with no napi types, tested with `cargo test`. `binding` is the thin layer that
//! reads JavaScript values, calls the core and turns results and errors back into JavaScript.

#![deny(clippy::all)]

pub mod binding;
pub mod core;
