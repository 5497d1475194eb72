//! `cargo xtask <command>`: project automation.

use std::process::ExitCode;

mod bench;
mod e2e;
mod generate;
mod json;
mod reliability;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("e2e") => e2e::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("generate") => generate::run(&args[1..]),
        Some("reliability") => reliability::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <e2e|bench|generate|reliability>");
            ExitCode::from(2)
        }
    }
}
