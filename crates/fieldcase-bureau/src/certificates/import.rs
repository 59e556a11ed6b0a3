//! The CSV file a bureau imports its certificates from.

use std::collections::BTreeMap;

use super::{CertificateFields, NewCertificate, Refusal};

/// A row of a CSV import that cannot be used, or a file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}, column {column}: {message}; nothing from the file was imported")]
    Row { line: u64, column: &'static str, message: String },
    #[error("{0}; nothing from the file was imported")]
    File(String),
}

/// The columns of an import file, in the order the header names them.
pub const IMPORT_COLUMNS: [&str; 7] = ["number", "officer_id", "name", "unit", "areas", "valid_from", "valid_until"];

/// One usable row of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub certificate: NewCertificate,
}

/// Reads an import file: UTF-8 (a byte-order mark is tolerated), a header row naming the
/// columns of [`IMPORT_COLUMNS`] in any order, then one certificate per row, areas separated
/// by `;`. The first row that cannot be used stops the import, named by its line.
pub fn parse_import(bytes: &[u8]) -> Result<Vec<ImportRow>, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).flexible(true).from_reader(bytes);
    let not_utf8 = |line: u64| {
        ImportError::File(format!("line {line} is not UTF-8 text; save the file as \"CSV UTF-8\" and import it again"))
    };
    let header = reader
        .headers()
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => not_utf8(1),
            _ => ImportError::File(format!("the header row cannot be read ({e})")),
        })?
        .clone();
    let mut positions: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        let Some(column) = IMPORT_COLUMNS.iter().find(|c| **c == name) else {
            return Err(ImportError::File(format!(
                "line 1: the header names a column '{name}' that an import does not have; the header is {}",
                IMPORT_COLUMNS.join(",")
            )));
        };
        if positions.insert(column, index).is_some() {
            return Err(ImportError::File(format!("line 1: the header names column {column} twice")));
        }
    }
    if let Some(missing) = IMPORT_COLUMNS.iter().find(|c| !positions.contains_key(*c)) {
        return Err(ImportError::File(format!(
            "line 1: the header has no column {missing}; the header is {}",
            IMPORT_COLUMNS.join(",")
        )));
    }

    let mut rows: Vec<ImportRow> = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_of(bytes, p.byte()));
            match e.kind() {
                csv::ErrorKind::Utf8 { .. } => not_utf8(line),
                _ => ImportError::File(format!("line {line} cannot be read as CSV ({e})")),
            }
        })?;
        let line = record.position().map_or(0, |p| line_of(bytes, p.byte()));
        if record.iter().all(|field| field.is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            return Err(ImportError::File(format!(
                "line {line} has {} fields but the header names {}",
                record.len(),
                header.len()
            )));
        }
        let field = |column: &str| positions.get(column).and_then(|&i| record.get(i)).unwrap_or_default().to_owned();
        let fields = CertificateFields {
            number: field("number"),
            officer_id: field("officer_id"),
            name: field("name"),
            unit: field("unit"),
            areas: field("areas").split([';', '；']).map(str::to_owned).collect(),
            valid_from: field("valid_from"),
            valid_until: field("valid_until"),
        };
        let certificate = fields.parse().map_err(|refusal| row_error(line, &refusal))?;
        if let Some(first) = seen.insert(certificate.number.clone(), line) {
            return Err(ImportError::Row {
                line,
                column: "number",
                message: format!(
                    "certificate {} is already on line {first} of this file; each number appears once",
                    certificate.number
                ),
            });
        }
        rows.push(ImportRow { line, certificate });
    }
    if rows.is_empty() {
        return Err(ImportError::File("the file has a header but no certificates".into()));
    }
    Ok(rows)
}

/// The line (from 1, as an editor counts) of the record the reader placed at `offset`. The
/// reader's own line count and offset point at the end of the line before, blank lines
/// included, so the record's first character is found from there.
fn line_of(bytes: &[u8], offset: u64) -> u64 {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    let start = offset + bytes[offset..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
}

/// A refusal of one row, named by its line and column.
pub fn row_error(line: u64, refusal: &Refusal) -> ImportError {
    ImportError::Row { line, column: refusal.field.unwrap_or("number"), message: refusal.message.clone() }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_import_file_is_read_with_its_bom_any_column_order_and_named_lines() {
        let text = "\u{feff}officer_id,number,name,unit,areas,valid_from,valid_until\r\n\
                    JC-0107,33010620240107,王敏,西湖区人社局,劳动保障监察;安全生产,2024-01-01,2028-12-31\r\n\
                    \r\n\
                    JC-0112,33010620240112,李强,\"西湖区人社局, 监察大队\",劳动保障监察,2024-01-01,2028-12-31\r\n";
        let rows = parse_import(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].certificate.areas, vec!["劳动保障监察".to_owned(), "安全生产".to_owned()]);
        assert_eq!(rows[1].line, 4, "lines count as a text editor counts them");
        assert_eq!(rows[1].certificate.unit, "西湖区人社局, 监察大队");

        let lf = "number,officer_id,name,unit,areas,valid_from,valid_until\n1,JC-1,甲,\"局\n监察大队\",a,2024-01-01,2028-12-31\n\n\n2,JC-2,乙,局,a,2024-01-01,2028-12-31\n";
        assert_eq!(parse_import(lf.as_bytes()).unwrap().iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 6]);

        let bad = "number,officer_id,name,unit,areas,valid_from,valid_until\n\
                   1,JC-1,甲,局,劳动保障监察,2024-01-01,2028-12-31\n\
                   2,JC-2,乙,局,劳动保障监察,2024-01-01,2028-02-30\n";
        let err = parse_import(bad.as_bytes()).unwrap_err();
        assert!(matches!(&err, ImportError::Row { line: 3, column: "valid_until", .. }), "{err}");
        assert!(err.to_string().contains("YYYY-MM-DD") && err.to_string().contains("nothing from the file"), "{err}");

        let twice = "number,officer_id,name,unit,areas,valid_from,valid_until\n1,JC-1,甲,局,a,2024-01-01,2028-12-31\n1,JC-2,乙,局,a,2024-01-01,2028-12-31\n";
        assert!(matches!(parse_import(twice.as_bytes()), Err(ImportError::Row { line: 3, column: "number", .. })));
        assert!(matches!(parse_import(b"number,officer\n"), Err(ImportError::File(_))));
        assert!(
            matches!(parse_import(b"number,officer_id,name,unit,areas,valid_from,valid_until\n\xC9\xCF,JC-1,\xBA\xBC,a,b,2024-01-01,2028-12-31\n"), Err(ImportError::File(m)) if m.contains("UTF-8"))
        );
    }
}
