//! The CSV records of a seed file, split the way dbt splits them: the file is read in Python's text
//! mode (universal newlines) and parsed by Python's `csv.reader` with the `excel` dialect, not
//! strict, and the seed's delimiter. This is Python's `_csv` state machine, so the odd inputs
//! (`"a"b` → `ab`, a quote inside an unquoted field, an unterminated quote, blank lines) come out
//! as dbt sees them.

use crate::error::{AdapterError, Result};

/// Python's default `csv.field_size_limit()`, in characters; a longer field is an error in dbt.
const FIELD_LIMIT: usize = 131_072;

/// One CSV record and the 1-based line it starts on.
#[derive(Debug)]
pub(crate) struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    StartRecord,
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
    EatNewline,
}

struct Parser {
    delimiter: char,
    state: State,
    fields: Vec<String>,
    field: String,
    field_chars: usize,
    line: usize,
}

fn error(line: usize, message: impl Into<String>) -> AdapterError {
    AdapterError::SeedCsv {
        file: None,
        line: Some(line),
        message: message.into(),
    }
}

impl Parser {
    fn save_field(&mut self) {
        self.fields.push(std::mem::take(&mut self.field));
        self.field_chars = 0;
    }

    fn add_char(&mut self, c: char) -> Result<()> {
        if self.field_chars >= FIELD_LIMIT {
            return Err(error(
                self.line,
                format!("field larger than field limit ({FIELD_LIMIT})"),
            ));
        }
        self.field.push(c);
        self.field_chars += 1;
        Ok(())
    }

    /// The end of a record: after a newline keep eating newlines, at the end of the line start over.
    fn end_record(&mut self, c: Option<char>) {
        self.save_field();
        self.state = if c.is_none() {
            State::StartRecord
        } else {
            State::EatNewline
        };
    }

    /// One character of the current line; `None` is the end of the line (Python's `EOL`).
    fn process(&mut self, c: Option<char>) -> Result<()> {
        const QUOTE: char = '"';
        if self.state == State::StartRecord {
            match c {
                // A blank line is a record with no fields: Python returns `[]`.
                None => return Ok(()),
                Some('\n') => {
                    self.state = State::EatNewline;
                    return Ok(());
                }
                Some(_) => self.state = State::StartField,
            }
        }
        match (self.state, c) {
            (State::StartRecord, _) => {}
            (State::StartField | State::InField | State::QuoteInQuoted, None | Some('\n')) => {
                self.end_record(c);
            }
            (State::StartField | State::InField | State::QuoteInQuoted, Some(c))
                if c == self.delimiter =>
            {
                self.save_field();
                self.state = State::StartField;
            }
            (State::StartField, Some(QUOTE)) => self.state = State::InQuoted,
            (State::StartField | State::InField, Some(c)) => {
                self.add_char(c)?;
                self.state = State::InField;
            }
            (State::InQuoted, None) => {}
            (State::InQuoted, Some(QUOTE)) => self.state = State::QuoteInQuoted,
            (State::InQuoted, Some(c)) => self.add_char(c)?,
            (State::QuoteInQuoted, Some(QUOTE)) => {
                self.add_char(QUOTE)?;
                self.state = State::InQuoted;
            }
            // Not strict: text after a closing quote joins the field.
            (State::QuoteInQuoted, Some(c)) => {
                self.add_char(c)?;
                self.state = State::InField;
            }
            (State::EatNewline, Some('\n')) => {}
            (State::EatNewline, None) => self.state = State::StartRecord,
            (State::EatNewline, Some(_)) => {
                return Err(error(
                    self.line,
                    "new-line character seen in unquoted field",
                ));
            }
        }
        Ok(())
    }
}

/// Splits `text` into records; a leading BOM is dropped first.
pub(crate) fn parse(text: &str, delimiter: u8) -> Result<Vec<Record>> {
    let delimiter = char::from(delimiter);
    if matches!(delimiter, '"' | '\n' | '\r') {
        return Err(error(1, format!("{delimiter:?} cannot be the delimiter")));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Universal newlines: `\r\n` and a lone `\r` are `\n` before the CSV reader sees the text.
    let text = if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let mut parser = Parser {
        delimiter,
        state: State::StartRecord,
        fields: Vec::new(),
        field: String::new(),
        field_chars: 0,
        line: 0,
    };
    let mut records = Vec::new();
    let mut record_line = 1;
    for line in text.split_inclusive('\n') {
        parser.line += 1;
        if parser.state == State::StartRecord {
            record_line = parser.line;
        }
        for c in line.chars() {
            parser.process(Some(c))?;
        }
        parser.process(None)?;
        if parser.state == State::StartRecord {
            records.push(Record {
                line: record_line,
                fields: std::mem::take(&mut parser.fields),
            });
        }
    }
    // An unterminated quoted field runs to the end of the file (Python is not strict here).
    if !parser.field.is_empty() || parser.state == State::InQuoted {
        parser.save_field();
        records.push(Record {
            line: record_line,
            fields: parser.fields,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn fields(text: &str) -> Vec<Vec<String>> {
        parse(text, b',')
            .expect("parse")
            .into_iter()
            .map(|r| r.fields)
            .collect()
    }

    #[test]
    fn matches_python_csv_on_odd_input() {
        assert_eq!(
            fields("a,b\n1,2\n\n \n\"x\"y,\"p\nq\"\n\"unterminated,3\n"),
            vec![
                vec!["a", "b"],
                vec!["1", "2"],
                vec![],
                vec![" "],
                vec!["xy", "p\nq"],
                vec!["unterminated,3\n"],
            ]
        );
        assert_eq!(
            fields("a,\"b\"\"c\"\"\",\"\"\n\"x\" y,\"\" z\nq,\""),
            vec![vec!["a", "b\"c\"", ""], vec!["x y", " z"], vec!["q", ""]]
        );
        assert_eq!(fields("a\0b,c"), vec![vec!["a\0b", "c"]]);
    }

    #[test]
    fn records_know_their_first_line() {
        let records = parse("\u{feff}h\r\n\"two\r\nlines\"\r\nlast", b',').expect("parse");
        let lines: Vec<_> = records.iter().map(|r| (r.line, r.fields.clone())).collect();
        assert_eq!(
            lines,
            vec![
                (1, vec!["h".to_string()]),
                (2, vec!["two\nlines".to_string()]),
                (4, vec!["last".to_string()]),
            ]
        );
    }
}
