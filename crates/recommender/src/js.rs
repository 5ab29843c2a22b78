//! JavaScript number semantics the original relied on: `Math.round`, `String(n)` and how
//! `JSON.stringify` prints integral numbers.

use serde::Serializer;

/// `Math.round`: halves round toward +∞ (`Math.round(2.5) == 3`, `Math.round(-2.5) == -2`),
/// unlike [`f64::round`], which rounds halves away from zero.
pub fn js_round(x: f64) -> f64 {
    (x + 0.5).floor()
}

/// `String(n)` for a JavaScript number: integral values print without a fraction (`9`), others
/// in the shortest round-trip form (`4.6`), very large or small magnitudes in exponent form
/// (`1e+21`, `1e-7`), exactly as ECMAScript's `Number::toString` does.
pub fn js_number_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if x == 0.0 {
        // Covers -0 too: String(-0) is "0".
        return "0".to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // `{:e}` prints the shortest digits that round-trip, as `d[.ddd]e<exp>`; ECMAScript's
    // algorithm starts from the same digits and only lays them out differently.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let k = digits.len() as i32;
    // ECMAScript's n: the decimal point sits after the n-th digit.
    let n = exponent + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let (first, rest) = digits.split_at(1);
        let exp_sign = if n > 0 { "+" } else { "-" };
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{exp_sign}{}", (n - 1).abs())
    };
    format!("{sign}{body}")
}

/// The largest integer a JavaScript number (an f64) holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Serialises an `f64` the way `JSON.stringify` prints it: integral values as integers (`5`, not
/// serde_json's `5.0`), everything else as a float. Non-finite values become `null`, as in JS.
pub fn serialize_js_number<S: Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    let x = *x;
    if x.is_finite() && x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER {
        // Integral and within ±2^53, so the conversion is exact.
        serializer.serialize_i64(x as i64)
    } else if x.is_finite() {
        serializer.serialize_f64(x)
    } else {
        serializer.serialize_none()
    }
}

/// [`serialize_js_number`] for nullable columns (`None` → `null`).
pub fn serialize_js_number_opt<S: Serializer>(
    x: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match x {
        Some(v) => serialize_js_number(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// A JSON value holding `x` as `JSON.stringify` would print it (integral → integer).
pub fn js_number_value(x: f64) -> serde_json::Value {
    if x.is_finite() && x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER {
        serde_json::Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_round_rounds_halves_up() {
        assert_eq!(js_round(2.5), 3.0);
        assert_eq!(js_round(-2.5), -2.0);
        assert_eq!(js_round(3.5), 4.0);
        assert_eq!(js_round(28.571428571428573), 29.0);
        assert_eq!(js_round(-0.4), -0.0);
    }

    #[test]
    fn number_to_string_matches_ecmascript() {
        let cases = [
            (9.0, "9"),
            (4.6, "4.6"),
            (-4.6, "-4.6"),
            (0.1 + 0.2, "0.30000000000000004"),
            (100.0, "100"),
            (123.456, "123.456"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (1e21, "1e+21"),
            (1.25e22, "1.25e+22"),
            (1e20, "100000000000000000000"),
            (-0.0, "0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, want) in cases {
            assert_eq!(js_number_string(x), want, "{x:?}");
        }
    }

    #[test]
    fn json_numbers_print_like_json_stringify() {
        assert_eq!(js_number_value(5.0).to_string(), "5");
        assert_eq!(js_number_value(0.5).to_string(), "0.5");
        assert_eq!(js_number_value(f64::NAN), serde_json::Value::Null);
    }
}
