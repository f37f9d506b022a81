//! Line/column spans of the statements of a policy given as JSON text, for AWS's
//! StartPosition / EndPosition of matched statements. A small byte scanner: the text has
//! already been parsed by serde_json, this only locates the statement objects.

use serde::Serialize;

/// A 1-based line and column in the policy text (AWS's `Position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

struct Scanner<'t> {
    text: &'t [u8],
    pos: usize,
}

impl<'t> Scanner<'t> {
    fn ws(&mut self) {
        while self
            .text
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// Skips a string starting at `pos` (on the opening quote); returns its raw content.
    fn string(&mut self) -> Option<&'t [u8]> {
        let start = self.pos + 1;
        let mut i = start;
        loop {
            match self.text.get(i)? {
                b'\\' => i += 2,
                b'"' => {
                    self.pos = i + 1;
                    return self.text.get(start..i);
                }
                _ => i += 1,
            }
        }
    }

    /// Skips any JSON value.
    fn value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
            }
        }
        Some(())
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek()? == b).then(|| self.pos += 1)
    }
}

/// Byte spans (start, end exclusive) of each statement: the elements of a `Statement`
/// array, or the `Statement` object itself.
fn statement_spans(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut s = Scanner {
        text: text.as_bytes(),
        pos: 0,
    };
    s.expect(b'{')?;
    loop {
        s.ws();
        if s.peek()? == b'}' {
            return None;
        }
        if s.peek()? != b'"' {
            return None;
        }
        let key = s.string()?;
        s.expect(b':')?;
        if key == b"Statement" {
            s.ws();
            return match s.peek()? {
                b'[' => {
                    s.pos += 1;
                    let mut spans = Vec::new();
                    loop {
                        s.ws();
                        if s.peek()? == b']' {
                            return Some(spans);
                        }
                        let start = s.pos;
                        s.value()?;
                        spans.push((start, s.pos));
                        s.ws();
                        if s.peek()? == b',' {
                            s.pos += 1;
                        }
                    }
                }
                b'{' => {
                    let start = s.pos;
                    s.value()?;
                    Some(vec![(start, s.pos)])
                }
                _ => None,
            };
        }
        s.value()?;
        s.ws();
        if s.peek()? == b',' {
            s.pos += 1;
        }
    }
}

fn position(text: &str, offset: usize) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Position { line, column }
}

/// Start and end (the position of the closing brace) of each statement in `text`;
/// empty when the text is not shaped as expected.
pub(crate) fn statement_positions(text: &str) -> Vec<(Position, Position)> {
    statement_spans(text)
        .unwrap_or_default()
        .into_iter()
        .map(|(start, end)| (position(text, start), position(text, end.saturating_sub(1))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_statements() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\"Sid\": \"}]\", \"Effect\": \"Deny\",\n     \"Action\": \"*\", \"Resource\": \"*\"}\n  ]\n}";
        let p = statement_positions(text);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].0, Position { line: 4, column: 5 });
        assert_eq!(
            p[0].1,
            Position {
                line: 4,
                column: 58
            }
        );
        assert_eq!(p[1].0, Position { line: 5, column: 5 });
        assert_eq!(
            p[1].1,
            Position {
                line: 6,
                column: 36
            }
        );
        let single = statement_positions("{\"Statement\": {\"Effect\": \"Allow\"}}");
        assert_eq!(
            single,
            vec![(
                Position {
                    line: 1,
                    column: 15
                },
                Position {
                    line: 1,
                    column: 33
                }
            )]
        );
        assert!(statement_positions("[").is_empty());
        assert!(statement_positions("{\"Statement\": [{\"a\": ").is_empty());
    }
}
