//! `embed_migrations!` reads the migration folders at compile time, and cargo only reruns a
//! build for files it was told about: without this a newly added migration would be missing
//! from an incrementally rebuilt binary (diesel_migrations documents the same line).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
