//! A throwaway PostgreSQL cluster for the tests, one per test binary, with a fresh database for
//! every test: the harness crate's (`fieldcase_tests::pg_cluster`), which `make bench` starts
//! too.

pub use fieldcase_tests::pg_cluster::database;
