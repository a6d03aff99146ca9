//! `sqlx::migrate!` (server::db) writes the migrations into the crate when it is compiled;
//! Cargo does not know it read them, so a new migration file alone would not rebuild the crate
//! (the binary would run without it).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
