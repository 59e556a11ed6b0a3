//! The certificate state machine and the checks of typed fields.

use fieldcase_core::certificate::CertificateStatus;

use super::*;

fn fields() -> CertificateFields {
    CertificateFields {
        number: "33010620240107".into(),
        officer_id: "JC-0107".into(),
        name: "王敏".into(),
        unit: "杭州市西湖区人力资源和社会保障局".into(),
        areas: vec!["劳动保障监察".into()],
        valid_from: "2024-01-01".into(),
        valid_until: "2028-12-31".into(),
    }
}

#[test]
fn a_certificate_moves_only_along_the_allowed_paths() {
    let issued = CertificateAction::Issue(fields().parse().unwrap()).apply(None).unwrap().1;
    assert_eq!(issued.status, CertificateStatus::Active);
    let suspended =
        CertificateAction::suspend("33010620240107", Some("调查中")).unwrap().apply(Some(&issued)).unwrap().1;
    assert_eq!(suspended.status, CertificateStatus::Suspended);
    let back = CertificateAction::reinstate("33010620240107", None).unwrap().apply(Some(&suspended)).unwrap().1;
    assert_eq!(back.status, CertificateStatus::Active);
    let revoked =
        CertificateAction::revoke("33010620240107", Some("调离执法岗位")).unwrap().apply(Some(&back)).unwrap().1;
    assert_eq!(revoked.status, CertificateStatus::Revoked);

    let refused = CertificateAction::reinstate("33010620240107", None).unwrap().apply(Some(&revoked)).unwrap_err();
    assert_eq!(refused.kind, RefusalKind::NotAllowed, "revoked is final");
    assert!(refused.message.contains("final"), "{}", refused.message);
    assert_eq!(
        CertificateAction::renew("33010620240107", "2030-12-31", None).unwrap().apply(Some(&revoked)).unwrap_err().kind,
        RefusalKind::NotAllowed
    );
    assert_eq!(
        CertificateAction::Issue(fields().parse().unwrap()).apply(Some(&issued)).unwrap_err().kind,
        RefusalKind::Duplicate
    );
    assert_eq!(CertificateAction::revoke("1", Some("x")).unwrap().apply(None).unwrap_err().kind, RefusalKind::NotFound);
    let shorter =
        CertificateAction::renew("33010620240107", "2027-01-01", None).unwrap().apply(Some(&issued)).unwrap_err();
    assert_eq!(shorter.field, Some("valid_until"), "a renewal must extend");
}

#[test]
fn suspend_and_revoke_need_a_reason() {
    assert_eq!(CertificateAction::suspend("1", None).unwrap_err().field, Some("reason"));
    assert_eq!(CertificateAction::revoke("1", Some("  ")).unwrap_err().field, Some("reason"));
    assert!(CertificateAction::reinstate("1", None).is_ok());
}

#[test]
fn bad_fields_are_named() {
    let bad = |f: fn(&mut CertificateFields)| {
        let mut fields = fields();
        f(&mut fields);
        fields.parse().unwrap_err()
    };
    assert_eq!(bad(|f| f.valid_until = "2028-13-01".into()).field, Some("valid_until"));
    assert_eq!(bad(|f| f.valid_from = "2024/01/01".into()).field, Some("valid_from"));
    assert_eq!(bad(|f| f.officer_id = "JC 0107".into()).field, Some("officer_id"));
    assert_eq!(bad(|f| f.areas = vec![" ".into()]).field, Some("areas"));
    assert_eq!(bad(|f| f.valid_until = "2023-12-31".into()).field, Some("valid_until"));
    assert_eq!(bad(|f| f.number = "33 01".into()).field, Some("number"));
    assert_eq!(bad(|f| f.valid_until = "9999-12-31".into()).field, Some("valid_until"), "past 2200");
    assert_eq!(bad(|f| f.valid_from = "1999-12-31".into()).field, Some("valid_from"), "before 2000");
    assert!(CertificateAction::renew("33010620240107", "2201-01-01", None).is_err(), "a renewal past 2200");
}
