//! src/oauth/json.rs: the grammar of RFC 8259, the refusals, and the output.

use pixie_core::json::{Json, Object};

fn parse(text: &str) -> Result<Json, String> {
    Json::parse(text).map_err(|e| e.to_string())
}

fn refused(text: &str) -> String {
    parse(text).expect_err(text)
}

#[test]
fn reads_every_kind_of_value() {
    let value =
        parse(r#" {"s": "a\"b\\c\/d\n", "n": -12.5e3, "t": true, "f": false, "z": null, "a": [1, [], {}]} "#)
            .unwrap();
    let object = value.as_object().unwrap();
    assert_eq!(object.str("s"), Ok("a\"b\\c/d\n"));
    assert_eq!(object.get("n").and_then(Json::as_number).map(|n| n.as_str()), Some("-12.5e3"));
    assert_eq!(object.get("n").and_then(Json::as_number).map(|n| n.whole_part()), Some(-12500));
    assert_eq!(object.opt_bool("t"), Ok(Some(true)));
    assert_eq!(object.opt_bool("f"), Ok(Some(false)));
    assert!(object.get("z").is_some_and(Json::is_null));
    assert_eq!(object.get("a").and_then(Json::as_array).map(<[Json]>::len), Some(3));
}

#[test]
fn keeps_members_in_document_order() {
    let object = Json::parse_object(r#"{"z": 1, "a": 2, "m": 3}"#).unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), ["z", "a", "m"]);
    assert_eq!(Json::Object(object).to_string(), r#"{"z":1,"a":2,"m":3}"#);
}

#[test]
fn decodes_unicode_escapes_and_surrogate_pairs() {
    assert_eq!(parse(r#""\u00e9\ud83d\ude00""#).unwrap(), Json::String("é😀".to_owned()));
    assert_eq!(parse("\"é😀\"").unwrap(), Json::String("é😀".to_owned()));
}

#[test]
fn refuses_unpaired_surrogates() {
    assert!(refused(r#""\ud83d""#).starts_with("unpaired surrogate"));
    assert!(refused(r#""\ud83dx""#).starts_with("unpaired surrogate"));
    assert!(refused(r#""\ude00""#).starts_with("unpaired surrogate"));
    assert!(refused(r#""\ud83d\u0041""#).starts_with("unpaired surrogate"));
}

#[test]
fn refuses_a_repeated_member_name() {
    // A claim must mean one thing (RFC 7519 §4 allows refusing these).
    assert_eq!(refused(r#"{"sub": "alice", "sub": "mallory"}"#), "repeated member name at byte 17");
}

#[test]
fn finds_the_first_repeat_among_many_members() {
    let members: Vec<String> = (0..20_000).map(|i| format!("\"m{i}\":{i}")).collect();
    let many = format!("{{{}}}", members.join(","));
    assert_eq!(Json::parse_object(&many).map(|o| o.len()), Ok(20_000));

    // Two names repeated far apart: the error points at the earlier repeat.
    let text = format!(r#"{{"b":0,"a":1,{},"a":2,"b":3}}"#, members.join(","));
    let at = text.find(r#""a":2"#).unwrap();
    assert_eq!(refused(&text), format!("repeated member name at byte {at}"));
}

#[test]
fn refuses_what_rfc_8259_does_not_allow() {
    for text in [
        "",
        " ",
        "01",
        "1.",
        ".5",
        "+1",
        "1e",
        "1e+",
        "-",
        "--1",
        "0x10",
        "NaN",
        "Infinity",
        "[1,]",
        "{\"a\":1,}",
        "{a:1}",
        "{'a':1}",
        "[1 2]",
        "{\"a\" 1}",
        "tru",
        "nul",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"a\tb\"",
        "\"a\nb\"",
        "[1]x",
        "{} {}",
        "\u{feff}{}",
    ] {
        assert!(parse(text).is_err(), "{text:?} was accepted");
    }
}

#[test]
fn limits_nesting_depth() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(parse(&nested(64)).is_ok());
    assert!(refused(&nested(65)).starts_with("nested too deeply"));
    assert!(refused(&"[".repeat(100_000)).starts_with("nested too deeply"));
    assert!(refused(&r#"{"a":"#.repeat(65)).starts_with("nested too deeply"));
}

#[test]
fn integers_are_integers_only_in_integer_syntax() {
    let number = |text: &str| parse(text).unwrap().as_number().cloned().unwrap();
    assert_eq!(number("1700000000").as_i64(), Some(1_700_000_000));
    assert_eq!(number("-5").as_u64(), None);
    assert_eq!(number("1.0").as_i64(), None);
    assert_eq!(number("1.0").whole_part(), 1);
}

#[test]
fn whole_part_works_on_the_digits() {
    let whole = |text: &str| parse(text).unwrap().as_number().map(|n| n.whole_part()).unwrap();
    assert_eq!(whole("1700000000"), 1_700_000_000);
    assert_eq!(whole("1700000000.999"), 1_700_000_000);
    assert_eq!(whole("1.7e9"), 1_700_000_000);
    assert_eq!(whole("17E+8"), 1_700_000_000);
    assert_eq!(whole("170000000000e-2"), 1_700_000_000);
    assert_eq!(whole("0.000017e14"), 1_700_000_000);
    assert_eq!(whole("-2.5"), -2);
    assert_eq!(whole("0.9"), 0);
    assert_eq!(whole("-0"), 0);
    assert_eq!(whole("5e-400"), 0);
    assert_eq!(whole("9223372036854775807"), i64::MAX);
    assert_eq!(whole("-9223372036854775807"), -i64::MAX);
    // Beyond i64, saturated as `f64 as i64` would be.
    assert_eq!(whole("9223372036854775808"), i64::MAX);
    assert_eq!(whole("1e300"), i64::MAX);
    assert_eq!(whole("-1e300"), i64::MIN);
    assert_eq!(whole("1e99999999999999999999"), i64::MAX);
    assert_eq!(whole("1e-99999999999999999999"), 0);
}

#[test]
fn typed_members_name_the_field_when_wrong() {
    let object = Json::parse_object(r#"{"issuer": 7, "keys": "x", "list": ["a", 1]}"#).unwrap();
    assert_eq!(object.str("issuer").unwrap_err().to_string(), "`issuer` must be a string");
    assert_eq!(object.str("absent").unwrap_err().to_string(), "`absent` is missing");
    assert_eq!(object.opt_str("absent"), Ok(None));
    assert_eq!(object.opt_array("keys").unwrap_err().to_string(), "`keys` must be an array");
    assert_eq!(object.opt_strings("list").unwrap_err().to_string(), "`list` must hold only strings");
    assert_eq!(object.opt_u64("issuer"), Ok(Some(7)));
}

#[test]
fn writes_like_json_stringify() {
    let object = Object::new()
        .with("text", "quote \" backslash \\ newline \n tab \t bell \u{7} é")
        .with("at_ms", Json::millis(1_700_000_000_000.4))
        .with("not_finite", Json::millis(f64::NAN))
        .with("absent", None::<String>)
        .with("list", Json::Array(vec![true.into(), Json::Array(Vec::new()), Object::new().into()]));
    assert_eq!(
        object.to_json_string(),
        r#"{"text":"quote \" backslash \\ newline \n tab \t bell \u0007 é","at_ms":1700000000000,"not_finite":null,"absent":null,"list":[true,[],{}]}"#
    );
    assert_eq!(
        Json::parse(r#"{"a":[1,{"b":null}],"c":{},"d":[]}"#).unwrap().to_pretty(),
        "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}"
    );
}

#[test]
fn millis_round_trip_and_older_fractions_are_read() {
    let object = Object::new().with("at_ms", Json::millis(1_700_000_000_123.6));
    let back = Json::parse_object(&object.to_json_string()).unwrap();
    assert_eq!(back.opt_millis("at_ms"), Ok(Some(1_700_000_000_124.0)));
    let older = Json::parse_object(r#"{"at_ms": 1700000000123.0, "none": null, "text": "1"}"#).unwrap();
    assert_eq!(older.opt_millis("at_ms"), Ok(Some(1_700_000_000_123.0)));
    assert_eq!(older.opt_millis("none"), Ok(None));
    assert_eq!(older.opt_millis("text").unwrap_err().to_string(), "`text` must be a number");
}

#[test]
fn insert_replaces_in_place() {
    let mut object = Object::new().with("a", true).with("b", 2_u64);
    object.insert("a", "x");
    assert_eq!(object.to_json_string(), r#"{"a":"x","b":2}"#);
}

#[test]
fn pretty_output_matches_serde_json() {
    // serde_json sorts keys; these are sorted already, so both must agree byte for byte.
    let text = r#"{"a":[1,2.5,"x\u0001"],"b":{"c":true,"d":null},"e":[],"f":{}}"#;
    let ours = Json::parse(text).unwrap().to_pretty();
    let theirs =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(text).unwrap()).unwrap();
    assert_eq!(ours, theirs);
}
