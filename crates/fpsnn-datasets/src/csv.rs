//! Minimal parsing of the embedded comma-separated files.

use std::str::FromStr;

use crate::DatasetError;

/// One line of a comma-separated file, for error reports.
#[derive(Clone, Copy)]
pub(crate) struct Line<'a> {
    pub(crate) file: &'static str,
    /// 1-based line number.
    pub(crate) number: usize,
    pub(crate) text: &'a str,
}

impl<'a> Line<'a> {
    /// The line's fields; exactly `expected` of them, or a parse error naming the line.
    pub(crate) fn fields(&self, expected: usize) -> Result<Vec<&'a str>, DatasetError> {
        let fields: Vec<&str> = self.text.split(',').map(str::trim).collect();
        if fields.len() == expected {
            Ok(fields)
        } else {
            Err(self.error(fields.len().min(expected), self.text))
        }
    }

    /// Parses field number `field`, whose text is `text`.
    pub(crate) fn parse<T: FromStr>(&self, field: usize, text: &str) -> Result<T, DatasetError> {
        text.parse().map_err(|_| self.error(field, text))
    }

    pub(crate) fn error(&self, field: usize, text: &str) -> DatasetError {
        DatasetError::Parse {
            file: self.file,
            line: self.number,
            field,
            text: text.to_owned(),
        }
    }
}

/// The non-empty lines of `text`.
pub(crate) fn lines<'a>(file: &'static str, text: &'a str) -> impl Iterator<Item = Line<'a>> {
    text.lines()
        .enumerate()
        .map(move |(i, line)| Line {
            file,
            number: i + 1,
            text: line.trim(),
        })
        .filter(|line| !line.text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_bad_field() {
        let mut it = lines("f", "\n1.0, x\n1,2,3\n");
        let first = it.next().unwrap();
        assert_eq!(first.number, 2);
        let fields = first.fields(2).unwrap();
        assert_eq!(
            first.parse::<f64>(0, fields[0]).unwrap().to_bits(),
            1.0f64.to_bits()
        );
        assert!(matches!(
            first.parse::<f64>(1, fields[1]),
            Err(DatasetError::Parse {
                line: 2,
                field: 1,
                ..
            })
        ));
        assert!(matches!(
            it.next().unwrap().fields(2),
            Err(DatasetError::Parse {
                line: 3,
                field: 2,
                ..
            })
        ));
    }
}
