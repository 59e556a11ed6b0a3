//! Why an administrator's request was not carried out.

/// Why an administrator's request was not carried out. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub kind: RefusalKind,
    /// The field (CSV column, command-line option) at fault, if one is.
    pub field: Option<&'static str>,
    /// Which action of a batch was refused (for an import: which row).
    pub item: Option<usize>,
    /// What was wrong and how to put it right.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// No such certificate or officer.
    NotFound,
    /// The certificate number is taken.
    Duplicate,
    /// A value is not well formed (a date, an officer id, an empty reason).
    Invalid,
    /// The certificate's state does not allow it (revoked is final).
    NotAllowed,
}

impl Refusal {
    pub fn new(kind: RefusalKind, field: Option<&'static str>, message: impl Into<String>) -> Self {
        Refusal { kind, field, item: None, message: message.into() }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Invalid, Some(field), message)
    }

    pub fn unknown_certificate(number: &str) -> Self {
        Self::new(
            RefusalKind::NotFound,
            Some("number"),
            format!(
                "no certificate '{number}' in the registry; `fieldcase bureau cert list` shows the numbers, `fieldcase bureau cert issue` adds one"
            ),
        )
    }

    /// The same refusal, as the `item`th action of a batch.
    pub fn at_item(mut self, item: usize) -> Self {
        self.item = Some(item);
        self
    }
}
