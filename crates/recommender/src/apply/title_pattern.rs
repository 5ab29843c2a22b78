//! The four title regexes the original's apply used to read values back from a title, matched
//! by hand.
//!
//! Each regex is a fixed sequence of literals, `\d+` and `\w+` runs. Every run is followed by a
//! literal that cannot belong to the run, so greedy matching never needs to backtrack and a
//! left-to-right scan over start positions finds exactly the leftmost match the JavaScript
//! regex finds. `\d` and `\w` are ASCII-only in JavaScript, so matching on bytes is exact even
//! for non-ASCII titles (UTF-8 continuation bytes are never ASCII).

/// One element of a title pattern.
#[derive(Debug, Clone, Copy)]
enum Token {
    /// Exact text.
    Lit(&'static str),
    /// `(\d+)`: one or more ASCII digits, captured.
    Digits,
    /// `(\w+)`: one or more of `[A-Za-z0-9_]`, captured.
    Word,
}

/// A title regex as tokens.
#[derive(Debug, Clone, Copy)]
pub struct TitlePattern(&'static [Token]);

/// `/\((\d+):00-(\d+):00\)/` — captures start and end hour.
pub const HOUR_RANGE: TitlePattern = TitlePattern(&[
    Token::Lit("("),
    Token::Digits,
    Token::Lit(":00-"),
    Token::Digits,
    Token::Lit(":00)"),
]);

/// `/to (\d+) minutes/` — captures the duration.
pub const SESSION_MINUTES: TitlePattern =
    TitlePattern(&[Token::Lit("to "), Token::Digits, Token::Lit(" minutes")]);

/// `/Increase (\w+) content to (\d+)%/` — captures content type and percentage.
pub const CONTENT_SHARE: TitlePattern = TitlePattern(&[
    Token::Lit("Increase "),
    Token::Word,
    Token::Lit(" content to "),
    Token::Digits,
    Token::Lit("%"),
]);

/// `/every (\d+) days/` — captures the review interval.
pub const REVIEW_DAYS: TitlePattern =
    TitlePattern(&[Token::Lit("every "), Token::Digits, Token::Lit(" days")]);

fn run_length(bytes: &[u8], accept: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|b| accept(**b)).count()
}

impl TitlePattern {
    /// The captures of the leftmost match in `text`, in order, or `None` if it does not match.
    pub fn captures<'t>(&self, text: &'t str) -> Option<Vec<&'t str>> {
        (0..text.len()).find_map(|start| self.captures_at(text, start))
    }

    fn captures_at<'t>(&self, text: &'t str, start: usize) -> Option<Vec<&'t str>> {
        let bytes = text.as_bytes();
        let mut at = start;
        let mut captures = Vec::with_capacity(2);
        for token in self.0 {
            let rest = bytes.get(at..)?;
            match token {
                Token::Lit(lit) => {
                    if !rest.starts_with(lit.as_bytes()) {
                        return None;
                    }
                    at += lit.len();
                }
                Token::Digits | Token::Word => {
                    let len = match token {
                        Token::Digits => run_length(rest, |b| b.is_ascii_digit()),
                        _ => run_length(rest, |b| b.is_ascii_alphanumeric() || b == b'_'),
                    };
                    if len == 0 {
                        return None;
                    }
                    // The run is ASCII, so both ends are character boundaries.
                    captures.push(text.get(at..at + len)?);
                    at += len;
                }
            }
        }
        Some(captures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hour_range_finds_the_leftmost_match() {
        assert_eq!(
            HOUR_RANGE.captures("Study during your peak hours (9:00-10:00)"),
            Some(vec!["9", "10"])
        );
        assert_eq!(
            HOUR_RANGE.captures("(x) (07:00-08:00) (1:00-2:00)"),
            Some(vec!["07", "08"])
        );
        assert_eq!(HOUR_RANGE.captures("(7.5:00-8.5:00)"), None);
        assert_eq!(HOUR_RANGE.captures("(7:00-8:000)"), None);
        assert_eq!(
            HOUR_RANGE.captures("Étude (7:00-8:00) ✓"),
            Some(vec!["7", "8"])
        );
    }

    #[test]
    fn word_and_digit_runs_must_be_non_empty_and_ascii() {
        assert_eq!(
            CONTENT_SHARE.captures("Increase video_lectures content to 60%"),
            Some(vec!["video_lectures", "60"])
        );
        assert_eq!(
            CONTENT_SHARE.captures("Increase video-lectures content to 60%"),
            None
        );
        assert_eq!(
            CONTENT_SHARE.captures("Increase vidéo content to 60%"),
            None
        );
        assert_eq!(SESSION_MINUTES.captures("Go to  minutes"), None);
        assert_eq!(
            SESSION_MINUTES.captures("into 25 minutes"),
            Some(vec!["25"])
        );
        assert_eq!(
            REVIEW_DAYS.captures("every 3 days, every 4 days"),
            Some(vec!["3"])
        );
    }
}
