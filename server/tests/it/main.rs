//! The integration tests: one test binary (one link, shared helpers), each module a part of
//! the service tested through the real router against a real database (SQLite, or the
//! PostgreSQL of `DATABASE_URL`), with real SMTP and SMS servers where messages leave.

mod common;

mod auth;
mod connections;
mod corrections;
mod crash;
mod deadlines;
mod decision;
mod decoding;
mod demandes;
mod franceconnect;
mod handover;
mod hashing;
mod instruction;
mod journal;
mod pages;
mod plans;
mod security;
mod storage;
mod transfer;
