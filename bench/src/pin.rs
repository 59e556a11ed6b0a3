//! `pin_guess_cost`: what one PIN guess costs against a registry verifier (the bureau's
//! Argon2id parameters), beside the Argon2 library's default cost, which verifiers had before.

use std::time::Instant;

use anyhow::{Result, anyhow};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::report::Figure;

/// Target: one guess costs at least this long on this machine.
const TARGET_MS: f64 = 250.0;

pub fn run() -> Result<()> {
    let verifier = fieldcase_bureau::admin::pin_verifier("135790").map_err(|e| anyhow!("{e}"))?;
    let salt = SaltString::encode_b64(&[7u8; 16]).map_err(|e| anyhow!("{e}"))?;
    let default = argon2::Argon2::default().hash_password(b"135790", &salt).map_err(|e| anyhow!("{e}"))?.to_string();
    let seconds = median_guess(&verifier)?;
    let reference = median_guess(&default)?;
    Figure {
        name: "pin_guess_cost",
        value: seconds * 1000.0,
        unit: "ms per guess",
        reference_name: "argon2 default parameters",
        reference: reference * 1000.0,
        reference_unit: "ms per guess",
        target: format!(">= {TARGET_MS} ms per guess"),
        met: seconds * 1000.0 >= TARGET_MS,
    }
    .emit()
}

/// The median time of five wrong guesses against `verifier`.
fn median_guess(verifier: &str) -> Result<f64> {
    let hash = PasswordHash::new(verifier).map_err(|e| anyhow!("{e}"))?;
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let refused = argon2::Argon2::default().verify_password(b"000000", &hash).is_err();
            assert!(refused, "a wrong PIN must not verify");
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    Ok(times[2])
}
