//! A small JSON reader and writer (RFC 8259) for the documents the protocol
//! reads and the records it stores. It replaces serde_json in the app, where
//! serde's generic code was an eighth of the WebAssembly module.
//!
//! - Objects keep their members in document order, so claims are shown as sent.
//! - A repeated member name is refused: RFC 7519 §4 lets a JWT parser refuse
//!   them, and a claim must mean one thing.
//! - Numbers keep their text, so they are shown exactly as sent.
//! - Nesting deeper than `MAX_DEPTH` is refused, so hostile input cannot
//!   exhaust the stack.

use core::fmt;

const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
/// A JSON value (RFC 8259).
pub enum Json {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number, kept as written.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, members in document order.
    Object(Object),
}

/// A number as written in the document (already checked against the grammar).
#[derive(Debug, Clone, PartialEq)]
pub struct Number(String);

/// Members in document order, names unique.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object(Vec<(String, Json)>);

/// Why a text is not JSON, and where (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// What is wrong.
    pub problem: &'static str,
    /// The byte offset where it was found.
    pub at: usize,
}

/// A member that is missing or of the wrong type, named for the error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The member's name.
    pub field: String,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.problem, self.at)
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.field, self.problem)
    }
}

impl Json {
    /// Parse a whole document; trailing characters are an error.
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        let mut parser = Parser { bytes: text.as_bytes(), pos: 0 };
        let value = parser.value(0)?;
        parser.skip_whitespace();
        if parser.pos != parser.bytes.len() {
            return Err(parser.error("trailing characters"));
        }
        Ok(value)
    }

    /// `parse`, for bytes that must also be UTF-8 (a decoded JWT part).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Json, JsonError> {
        let text = core::str::from_utf8(bytes)
            .map_err(|e| JsonError { problem: "invalid UTF-8", at: e.valid_up_to() })?;
        Self::parse(text)
    }

    /// Parses a document that must be an object.
    pub fn parse_object(text: &str) -> Result<Object, JsonError> {
        match Self::parse(text)? {
            Json::Object(object) => Ok(object),
            _ => Err(JsonError { problem: "not a JSON object", at: 0 }),
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Json::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A time or duration in milliseconds, to the whole millisecond (which is
    /// what `Date.now()` gives); `null` if not finite. Whole numbers only, so
    /// the module carries no float formatting (some 10 KB of wasm).
    pub fn millis(ms: f64) -> Json {
        if ms.is_finite() {
            Json::Number(Number((ms.round() as i64).to_string()))
        } else {
            Json::Null
        }
    }

    /// `null`?
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Indented by two spaces, as `JSON.stringify(value, null, 2)`.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, Some(0));
        out
    }
}

/// Compact, as `JSON.stringify(value)`.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_value(&mut out, self, None);
        f.write_str(&out)
    }
}

impl Number {
    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The integer part (toward zero) of any number, e.g. a fractional or
    /// exponent-form NumericDate, saturating at i64's bounds as a float cast
    /// would. Done on the digits, not via f64, so the bundle carries no float
    /// parsing (its tables are ~14 KB).
    pub fn whole_part(&self) -> i64 {
        let (mantissa, exponent) = match self.0.split_once(['e', 'E']) {
            // The grammar allows any number of exponent digits: clamp them.
            Some((mantissa, exponent)) => (
                mantissa,
                exponent.parse::<i64>().unwrap_or(if exponent.starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                }),
            ),
            None => (self.0.as_str(), 0),
        };
        let (negative, mantissa) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = [integer, fraction].concat();
        let digits = all_digits.trim_start_matches('0');
        // Where the decimal point lands among `digits` once the exponent is applied.
        let leading_zeros = (all_digits.len() - digits.len()) as i64;
        let point = (integer.len() as i64 - leading_zeros).saturating_add(exponent);
        let saturated = if negative { i64::MIN } else { i64::MAX };
        let whole = match usize::try_from(point) {
            Err(_) | Ok(0) => return 0,
            Ok(point) if point > 19 => return saturated,
            Ok(point) if point <= digits.len() => digits[..point].to_owned(),
            Ok(point) => format!("{digits}{}", "0".repeat(point - digits.len())),
        };
        match whole.parse::<i64>() {
            Ok(magnitude) if negative => -magnitude,
            Ok(magnitude) => magnitude,
            Err(_) => saturated,
        }
    }

    /// Only for integer syntax: `3.0` and `3e0` are not integers here.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The number as a `u64`, if it is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }
}

impl Object {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// The member `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The members in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// The member names in document order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No members?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `name`, replacing its value if present (its place is kept).
    pub fn insert(&mut self, name: &str, value: impl Into<Json>) {
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(member) => member.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    /// The object as compact JSON text.
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        write_object(&mut out, self, None);
        out
    }

    /// Indented by two spaces, as `JSON.stringify(object, null, 2)`.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        write_object(&mut out, self, Some(0));
        out
    }

    /// `insert`, for building a record in one expression.
    pub fn with(mut self, name: &str, value: impl Into<Json>) -> Self {
        self.insert(name, value);
        self
    }

    /// A member that must be present and a string.
    pub fn str(&self, name: &str) -> Result<&str, FieldError> {
        self.opt_str(name)?.ok_or_else(|| field_error(name, "is missing"))
    }

    /// Absent or `null` is `None`; anything but a string is an error.
    pub fn opt_str(&self, name: &str) -> Result<Option<&str>, FieldError> {
        match self.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => Ok(Some(s)),
            Some(_) => Err(field_error(name, "must be a string")),
        }
    }

    /// A string member, copied; `None` when absent or `null`.
    pub fn opt_string(&self, name: &str) -> Result<Option<String>, FieldError> {
        Ok(self.opt_str(name)?.map(str::to_owned))
    }

    /// A boolean member; `None` when absent or `null`.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, FieldError> {
        match self.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(field_error(name, "must be true or false")),
        }
    }

    /// A time in milliseconds, as `Json::millis` writes it; a fraction (as an
    /// older record may hold, e.g. `1700000000000.0`) is dropped.
    pub fn opt_millis(&self, name: &str) -> Result<Option<f64>, FieldError> {
        match self.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Number(n)) => Ok(Some(n.whole_part() as f64)),
            Some(_) => Err(field_error(name, "must be a number")),
        }
    }

    /// A non-negative integer member; `None` when absent or `null`.
    pub fn opt_u64(&self, name: &str) -> Result<Option<u64>, FieldError> {
        match self.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Number(n)) => {
                n.as_u64().map(Some).ok_or_else(|| field_error(name, "must be a non-negative integer"))
            }
            Some(_) => Err(field_error(name, "must be a number")),
        }
    }

    /// An array member; `None` when absent or `null`.
    pub fn opt_array(&self, name: &str) -> Result<Option<&[Json]>, FieldError> {
        match self.get(name) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::Array(items)) => Ok(Some(items)),
            Some(_) => Err(field_error(name, "must be an array")),
        }
    }

    /// An array of strings member; `None` when absent or `null`.
    pub fn opt_strings(&self, name: &str) -> Result<Option<Vec<String>>, FieldError> {
        let Some(items) = self.opt_array(name)? else { return Ok(None) };
        items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| field_error(name, "must hold only strings"))
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

fn field_error(name: &str, problem: &'static str) -> FieldError {
    FieldError { field: name.to_owned(), problem }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::String(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::String(s)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}

impl From<u64> for Json {
    fn from(n: u64) -> Self {
        Json::Number(Number(n.to_string()))
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Self {
        Json::Number(Number(n.to_string()))
    }
}

impl From<Object> for Json {
    fn from(o: Object) -> Self {
        Json::Object(o)
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Array(items)
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(value: Option<T>) -> Self {
        value.map_or(Json::Null, Into::into)
    }
}

// ------------------------------------------------------------------ reading

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, problem: &'static str) -> JsonError {
        JsonError { problem, at: self.pos }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn expect_literal(&mut self, literal: &[u8], value: Json) -> Result<Json, JsonError> {
        if self.bytes[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("unexpected end")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.expect_literal(b"true", Json::Bool(true)),
            Some(b'f') => self.expect_literal(b"false", Json::Bool(false)),
            Some(b'n') => self.expect_literal(b"null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.pos += 1; // {
        let mut members: Vec<(String, Json)> = Vec::new();
        let mut name_offsets = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(Object(members)));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            name_offsets.push(self.pos);
            let name = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected `:`"));
            }
            self.pos += 1;
            let value = self.value(depth)?;
            members.push((name, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    if let Some(at) = first_repeated_name(&members, &name_offsets) {
                        return Err(JsonError { problem: "repeated member name", at });
                    }
                    return Ok(Json::Object(Object(members)));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.pos += 1; // [
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        // The bytes matched the grammar, so they are ASCII.
        let text = String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned();
        Ok(Json::Number(Number(text)))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits =
            self.bytes.get(self.pos..self.pos + 4).ok_or_else(|| self.error("invalid \\u escape"))?;
        let mut code = 0;
        for &digit in digits {
            let value = (digit as char).to_digit(16).ok_or_else(|| self.error("invalid \\u escape"))?;
            code = code * 16 + value;
        }
        self.pos += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // "
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote, backslash or control character.
            let run_start = self.pos;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str and the run stops only at ASCII, so it is UTF-8.
            out.push_str(core::str::from_utf8(&self.bytes[run_start..self.pos]).unwrap_or_default());
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self.peek().ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                Some(_) => return Err(self.error("control character in string")),
            }
        }
    }

    /// After `\u`: one code point, a surrogate pair taking two escapes.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(self.error("unpaired surrogate"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("unpaired surrogate"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("unpaired surrogate")),
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }
}

/// The offset of the first member, in document order, whose name came before.
/// Small objects are compared pairwise; larger ones sorted, so a hostile
/// object with many members cannot stall the page. (A hash set would be
/// linear, but on wasm32-unknown-unknown std's hasher has fixed keys, so
/// colliding names could be chosen in advance.)
fn first_repeated_name(members: &[(String, Json)], name_offsets: &[usize]) -> Option<usize> {
    const PAIRWISE_UP_TO: usize = 16;
    let name = |i: usize| members[i].0.as_str();
    if members.len() <= PAIRWISE_UP_TO {
        let repeat = (1..members.len()).find(|&i| (0..i).any(|j| name(j) == name(i)))?;
        return Some(name_offsets[repeat]);
    }
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_unstable_by(|&a, &b| name(a).cmp(name(b)).then(a.cmp(&b)));
    // Within a run of equal names the first is the original; every later one repeats it.
    order
        .windows(2)
        .filter(|pair| name(pair[0]) == name(pair[1]))
        .map(|pair| pair[1])
        .min()
        .map(|i| name_offsets[i])
}

// ------------------------------------------------------------------ writing

/// `indent` is `None` for compact output, else the current depth.
fn write_value(out: &mut String, value: &Json, indent: Option<usize>) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(&n.0),
        Json::String(s) => write_string(out, s),
        Json::Array(items) => {
            write_container(out, '[', ']', items.iter(), indent, |out, item, inner| {
                write_value(out, item, inner)
            });
        }
        Json::Object(object) => write_object(out, object, indent),
    }
}

fn write_object(out: &mut String, object: &Object, indent: Option<usize>) {
    write_container(out, '{', '}', object.0.iter(), indent, |out, (name, item), inner| {
        write_string(out, name);
        out.push_str(if inner.is_some() { ": " } else { ":" });
        write_value(out, item, inner);
    });
}

fn write_container<T>(
    out: &mut String,
    open: char,
    close: char,
    items: impl ExactSizeIterator<Item = T>,
    indent: Option<usize>,
    mut write_item: impl FnMut(&mut String, T, Option<usize>),
) {
    out.push(open);
    let empty = items.len() == 0;
    let inner = indent.map(|depth| depth + 1);
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(depth) = inner {
            newline(out, depth);
        }
        write_item(out, item, inner);
    }
    if let (Some(depth), false) = (indent, empty) {
        newline(out, depth);
    }
    out.push(close);
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
