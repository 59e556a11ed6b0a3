//! `fieldcase signin | signout | whoami`: which officer is signed in on the device, and
//! (whoami) the registry copy it holds.

use std::io::Read;

use fieldcase_core::ErrorCode;
use fieldcase_device::OpenMode;

use super::Context;
use crate::output::{Failure, print};

/// `fieldcase signin OFFICER_ID`, the PIN on standard input.
pub fn sign_in(ctx: &Context, officer: &str) -> Result<(), Failure> {
    let mut pin = String::new();
    std::io::stdin().read_to_string(&mut pin).map_err(|e| Failure {
        exit: 1,
        code: ErrorCode::InvalidInput,
        message: format!("cannot read the PIN from standard input: {e}"),
    })?;
    let mut device = ctx.open(OpenMode::MustExist)?;
    let entry = device.sign_in(officer, pin.trim())?;
    print(ctx.json, &entry.officer, |o| format!("signed in as {o} {}", entry.name));
    Ok(())
}

pub fn sign_out(ctx: &Context) -> Result<(), Failure> {
    ctx.open(OpenMode::MustExist)?.sign_out()?;
    print(ctx.json, &serde_json::json!({ "signed_in": null }), |_| "signed out".into());
    Ok(())
}

pub fn who_am_i(ctx: &Context) -> Result<(), Failure> {
    let device = ctx.open(OpenMode::MustExist)?;
    let entry = device.signed_in()?;
    let registry = device.registry_status()?;
    let body = serde_json::json!({ "signed_in": entry.as_ref().map(|e| &e.officer), "registry": registry });
    print(ctx.json, &body, |_| match &entry {
        Some(e) => format!("signed in as {} {}", e.officer, e.name),
        None => "nobody is signed in".into(),
    });
    Ok(())
}
