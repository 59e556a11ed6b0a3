//! The canonical JSON writer: a serde `Serializer` that writes the canonical form directly.
//!
//! It must write, byte for byte, what serializing to a `serde_json::Value` and printing that
//! with sorted keys writes (the tests hold it to that form, kept there as the reference),
//! without building the tree of maps and strings first: records are hashed on every push
//! and every audit entry, and the tree cost several times the hashing itself.
//!
//! Objects are written field by field as they come, and rewritten in key order only if the
//! keys did not come in order. Keys are compared as UTF-8 bytes, before escaping; a key given
//! twice keeps its last value, as a JSON map does.

use std::borrow::Cow;
use std::fmt::Display;
use std::io::Write as _;
use std::ops::Range;

use serde::ser::{self, Impossible, Serialize};

/// Why a value has no canonical JSON form (a map key that is not a string or a number).
#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, Error>;

/// Appends the canonical JSON of `value` to `out`.
pub fn write<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result {
    value.serialize(Writer { out })
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    // serde_json's own escaping, as the reference form uses: writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_display(v: impl Display, out: &mut Vec<u8>) {
    let _ = write!(out, "{v}");
}

/// Floats are rare in records; they go through serde_json's Value, exactly as the reference
/// form does (NaN and infinities become null there).
fn write_float<T: Serialize>(v: T, out: &mut Vec<u8>) -> Result {
    let value = serde_json::to_value(v).map_err(|e| Error(e.to_string()))?;
    let _ = serde_json::to_writer(&mut *out, &value);
    Ok(())
}

/// Integers are written as their decimal digits.
macro_rules! numbers_as_text {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result {
            write_display(v, self.out);
            Ok(())
        }
    )*};
}

/// Integer map keys become their decimal digits.
macro_rules! numbers_as_keys {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<String> {
            Ok(v.to_string())
        }
    )*};
}

/// The serde traits of a sequence, each adding one element to `Seq`.
macro_rules! sequence_of_elements {
    ($($trait:path: $method:ident),*) => {$(
        impl $trait for Seq<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
                self.element(value)
            }
            fn end(self) -> Result {
                self.finish()
            }
        }
    )*};
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> ser::Serializer for Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    numbers_as_text!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    fn serialize_i128(self, v: i128) -> Result {
        // The reference form holds only what fits a JSON number of serde_json.
        if i64::try_from(v).is_err() && u64::try_from(v).is_err() {
            return Err(Error(format!("{v} does not fit a JSON number")));
        }
        write_display(v, self.out);
        Ok(())
    }
    numbers_as_text!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    fn serialize_u128(self, v: u128) -> Result {
        u64::try_from(v).map_err(|_| Error(format!("{v} does not fit a JSON number")))?;
        write_display(v, self.out);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result {
        write_float(v, self.out)
    }
    fn serialize_f64(self, v: f64) -> Result {
        write_float(v, self.out)
    }
    fn serialize_char(self, v: char) -> Result {
        write_str(v.encode_utf8(&mut [0; 4]), self.out);
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result {
        write_str(v, self.out);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        // As serde_json: an array of numbers.
        self.out.push(b'[');
        for (i, b) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            write_display(b, self.out);
        }
        self.out.push(b']');
        Ok(())
    }
    fn serialize_none(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        // One key: already in order.
        self.out.push(b'{');
        write_str(variant, self.out);
        self.out.push(b':');
        value.serialize(Writer { out: self.out })?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'a>> {
        self.out.push(b'[');
        Ok(Seq { out: self.out, first: true, variant: false })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq<'a>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Seq<'a>> {
        self.out.push(b'{');
        write_str(variant, self.out);
        self.out.extend_from_slice(b":[");
        Ok(Seq { out: self.out, first: true, variant: true })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Object<'a>> {
        Ok(Object::new(self.out, len.unwrap_or(8), None))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Object<'a>> {
        Ok(Object::new(self.out, len, None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Object<'a>> {
        Ok(Object::new(self.out, len, Some(variant)))
    }
}

/// An array, written straight through.
struct Seq<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    /// Inside `{"variant":[…]}`.
    variant: bool,
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        value.serialize(Writer { out: self.out })
    }

    fn finish(self) -> Result {
        self.out.push(b']');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

// An array, a tuple, a tuple struct and a tuple variant are all written as an array.
sequence_of_elements!(
    ser::SerializeSeq: serialize_element,
    ser::SerializeTuple: serialize_element,
    ser::SerializeTupleStruct: serialize_field,
    ser::SerializeTupleVariant: serialize_field
);

/// An object: each `"key":value` written straight to `out` as it comes. If the keys came in
/// order (as a struct's fields declared in order do), that is the canonical form already;
/// otherwise the object's text is taken back out and written again in key order.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    /// Where the object's first field begins in `out`.
    start: usize,
    /// Each field's key and where its `"key":value` lies in `out`.
    fields: Vec<(Cow<'static, str>, Range<usize>)>,
    /// Whether every key so far came after the one before (so none came twice).
    in_order: bool,
    /// The key of a map entry whose value is still to come.
    pending_key: Option<String>,
    /// Inside `{"variant":{…}}`.
    variant: bool,
}

impl<'a> Object<'a> {
    fn new(out: &'a mut Vec<u8>, len: usize, variant: Option<&'static str>) -> Self {
        if let Some(variant) = variant {
            out.push(b'{');
            write_str(variant, out);
            out.push(b':');
        }
        out.push(b'{');
        let start = out.len();
        Object {
            out,
            start,
            fields: Vec::with_capacity(len),
            in_order: true,
            pending_key: None,
            variant: variant.is_some(),
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: Cow<'static, str>, value: &T) -> Result {
        if let Some((last, _)) = self.fields.last() {
            self.in_order &= last.as_bytes() < key.as_bytes();
            self.out.push(b',');
        }
        let begin = self.out.len();
        write_str(&key, self.out);
        self.out.push(b':');
        value.serialize(Writer { out: &mut *self.out })?;
        self.fields.push((key, begin..self.out.len()));
        Ok(())
    }

    fn finish(mut self) -> Result {
        if !self.in_order {
            let written = self.out.split_off(self.start);
            let at = |range: &Range<usize>| &written[range.start - self.start..range.end - self.start];
            // Stable: of equal keys the last given is last, and it is the one kept.
            self.fields.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            let mut first = true;
            for (i, (key, range)) in self.fields.iter().enumerate() {
                if self.fields.get(i + 1).is_some_and(|next| next.0 == *key) {
                    continue;
                }
                if !first {
                    self.out.push(b',');
                }
                first = false;
                self.out.extend_from_slice(at(range));
            }
        }
        self.out.push(b'}');
        if self.variant {
            self.out.push(b'}');
        }
        Ok(())
    }
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.pending_key = Some(key.serialize(KeyWriter)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        let key = self.pending_key.take().ok_or_else(|| Error("a map value came without its key".into()))?;
        self.field(Cow::Owned(key), value)
    }
    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeStruct for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(Cow::Borrowed(key), value)
    }
    fn end(self) -> Result {
        self.finish()
    }
}

/// A map key as the text JSON gives it: strings as they are, numbers and booleans as their
/// decimal or word, the keys serde_json accepts.
struct KeyWriter;

fn key_error() -> Error {
    Error("a map key must be a string or a number".into())
}

impl ser::Serializer for KeyWriter {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Impossible<String, Error>;
    type SerializeTuple = Impossible<String, Error>;
    type SerializeTupleStruct = Impossible<String, Error>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    fn serialize_bool(self, v: bool) -> Result<String> {
        Ok(v.to_string())
    }
    numbers_as_keys!(
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64
    );
    fn serialize_f32(self, _v: f32) -> Result<String> {
        Err(key_error())
    }
    fn serialize_f64(self, _v: f64) -> Result<String> {
        Err(key_error())
    }
    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<String> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<String> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<String> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String> {
        Err(key_error())
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<String> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_error())
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error())
    }
}
