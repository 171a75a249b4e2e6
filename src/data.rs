//! Tabular data sets: CSV loading, the train/test split, standardisation.
//!
//! A data set has a compile-time number of features `D`: a file with another number of columns
//! is an error that names the line, never a silently truncated sample.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::float::{Float, Readable};
use crate::module::{Forward, NonFinite, ParamCount, Params, first_non_finite};
use crate::tensor::{Tensor, Zero};

/// What went wrong reading a data set.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read.
    Io {
        /// The path that was opened.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// The file at `path` was read and its text is refused: [`Dataset::load`]'s error, which
    /// names the file (two data sets' errors would look alike otherwise). [`DataError::cause`]
    /// gives the text's error.
    InFile {
        /// The path that was read.
        path: String,
        /// What is wrong with its text.
        error: alloc::boxed::Box<DataError>,
    },
    /// The text holds no header row.
    Empty,
    /// The header row names another number of columns than `D` features and a target.
    HeaderWidth {
        /// Features plus one target column.
        expected: usize,
        /// Columns the header names.
        found: usize,
    },
    /// The text holds a header and no samples.
    NoSamples,
    /// The header's first column has no name, as pandas writes a data frame's row index
    /// (`to_csv(path)`) and R a data frame's row names (`write.csv`): the index would be read
    /// as a feature.
    IndexColumn,
    /// The header's first column numbers the rows rather than describing them: `Unnamed: 0`
    /// (pandas' row index, read back and written again), or `index` (pandas' `reset_index`)
    /// or `id` whose values count the rows (0, 1, 2, ... or 1, 2, 3, ...): the row numbers
    /// would be read as a feature.
    RowIdColumn {
        /// The column's name.
        name: String,
    },
    /// The header's last column has no name and the first row's last field is empty: every
    /// line ends in a separator (as some spreadsheets write), and the empty field after it
    /// would be a column.
    TrailingSeparator,
    /// The header is one column that holds a `;`, a tab or a `|`, or several numbers (or
    /// numpy's `# ` header of several names) separated by spaces (as numpy's `savetxt` writes
    /// by default): the file separates its columns with that, and this reader with commas.
    Separator {
        /// The character found.
        separator: char,
    },
    /// The first row holds numbers, not column names (other than pandas' default names 0, 1,
    /// 2, ...): the file has no header row, and its first sample would be taken for one.
    NoHeader,
    /// The first line is `sep=,` (or another separator after `sep=`): the line by which Excel
    /// is told a file's separator, which no other reader (pandas, R) takes for one, and this
    /// reader would read as the header. The header row must come first.
    SeparatorLine {
        /// The separator the line names.
        separator: char,
    },
    /// The file is UTF-16 text (as Excel's "Unicode Text" and Windows' PowerShell write),
    /// found by its byte-order mark or by the zero bytes between its first characters: this
    /// reader reads UTF-8.
    Utf16,
    /// The file is compressed or an archive, found by its first bytes (gzip, xz, zstd, bzip2,
    /// zip, which Excel's `.xlsx` is too): it holds a CSV file to extract, or a spreadsheet
    /// to save as CSV.
    Compressed {
        /// What the file is, as the message names it (`gzip-compressed data (`.gz`)`).
        format: &'static str,
    },
    /// The file holds a zero byte, which no text does (UTF-16 aside, named as such): it is
    /// binary data, not CSV.
    NotText {
        /// Where the first zero byte is, counted from 0.
        offset: usize,
    },
    /// The first row is `0` or `0,1`: pandas' default names of a frame of one or two columns,
    /// or a first sample (feature 0, target 1) of a file without a header. The reader cannot
    /// tell, and does not guess: either way a guess could drop a sample or read names as
    /// one. From three columns on, `0,1,2,...` is taken for pandas' names.
    NumberedHeader,
    /// A row ends in a separator that the header does not: the empty field after it makes
    /// one column more than the header names.
    RowEndsInSeparator {
        /// The 1-based line number.
        line: usize,
        /// Features plus one target column, as the header names them.
        expected: usize,
    },
    /// A row has the wrong number of columns.
    Width {
        /// The 1-based line number.
        line: usize,
        /// Features plus one target column.
        expected: usize,
        /// Columns found.
        found: usize,
    },
    /// The header's first column has a target's name (`label`, `target`, `class`, `y`,
    /// `species`, ...) and its last does not: the target is the last column, and this file's
    /// would be read as a feature, and its last feature as the target.
    TargetFirst {
        /// The first column's name.
        name: String,
    },
    /// A field is empty: a missing value, as pandas writes NaN and spreadsheets an empty cell.
    Missing {
        /// The 1-based line number.
        line: usize,
        /// The 1-based column number.
        column: usize,
    },
    /// A field of the target column (the last) is not a number: a class name, where a
    /// classifier's target is a class index.
    TargetNotANumber {
        /// The 1-based line number.
        line: usize,
        /// The 1-based column number.
        column: usize,
        /// The field as written.
        text: String,
    },
    /// A feature's field is not a number.
    NotANumber {
        /// The 1-based line number.
        line: usize,
        /// The 1-based column number.
        column: usize,
        /// The field as written.
        text: String,
    },
    /// A field is a number, but not a finite one in the data set's float type: `NaN`,
    /// `inf`, or too large (`1e40` is infinite in `f32`). Standardisation would turn its whole
    /// column into NaN.
    NotFinite {
        /// The 1-based line number.
        line: usize,
        /// The 1-based column number.
        column: usize,
        /// The field as written.
        text: String,
    },
    /// A field is not UTF-8 text.
    NotUtf8 {
        /// The 1-based line number.
        line: usize,
        /// The 1-based column number.
        column: usize,
    },
    /// A field is longer than any number is written ([`MAX_FIELD_BYTES`]).
    FieldTooLong {
        /// The 1-based line number.
        line: usize,
        /// The 1-based column number.
        column: usize,
    },
    /// A field opens a quote that no quote closes on its line: CSV would read on across
    /// lines to the next quote, taking rows for one field.
    UnclosedQuote {
        /// The 1-based line number of the opening quote.
        line: usize,
        /// The 1-based column number.
        column: usize,
    },
    /// A target meant to be a class index is not a non-negative integer.
    NotAClass {
        /// The sample's index in the `targets` of the set [`Dataset::classes`] was called on
        /// (from 0, as everywhere in the crate). In a set as loaded from a file, the sample is
        /// on line `sample + 2` (after the header), unless blank lines come before it; the
        /// halves of a split are numbered anew, so call `classes` on the whole set first to
        /// find a bad target's line.
        sample: usize,
        /// The value found.
        value: f64,
    },
}

/// The separator `X` of a first line `sep=X` (Excel's, any case), if the text starts with one.
fn excel_separator_line(bytes: &[u8]) -> Option<char> {
    let line = bytes.split(|&b| b == b'\n' || b == b'\r').next()?;
    let rest = line
        .get(..4)?
        .eq_ignore_ascii_case(b"sep=")
        .then(|| &line[4..])?;
    let text = core::str::from_utf8(rest).ok()?;
    let mut chars = text.chars();
    let separator = chars.next()?;
    chars.next().is_none().then_some(separator)
}

/// Bytes at the start of a file that tell UTF-16 from UTF-8 and binary data (and that a
/// pipe is read to, at least, before a zero byte ends it).
const SNIFF_BYTES: usize = 256;

/// What a compressed file or an archive is, by its first bytes (their formats' magic numbers;
/// bzip2's with its block header, `1AY&SY`, since `BZh` alone may begin a column's name),
/// named as the safetensors reader names them.
fn compressed(bytes: &[u8]) -> Option<&'static str> {
    use crate::io::safetensors::COMPRESSED;
    match bytes {
        [0x1f, 0x8b, ..] => Some(COMPRESSED[0]),
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Some(COMPRESSED[1]),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(COMPRESSED[2]),
        [
            b'B',
            b'Z',
            b'h',
            b'1'..=b'9',
            b'1',
            b'A',
            b'Y',
            b'&',
            b'S',
            b'Y',
            ..,
        ] => Some(COMPRESSED[3]),
        [b'P', b'K', 3, 4, ..] => Some("a zip archive (`.zip`, or a spreadsheet's `.xlsx`)"),
        _ => None,
    }
}

/// Whether `bytes` begin as UTF-16 text: a byte-order mark, or, read as 16-bit units in
/// either byte order, a first [`SNIFF_BYTES`] that hold a separator or a line break (a comma,
/// a tab, a semicolon, `\n` or `\r`: one unit, its high byte zero, which no UTF-8 text
/// holds), no zero unit, and nothing but valid UTF-16. Names of any script pass: a CJK
/// character whose code ends in a zero byte (一, U+4E00) is a unit like any other.
fn is_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    let start = &bytes[..bytes.len().min(SNIFF_BYTES) / 2 * 2];
    let reads_as = |big_endian: bool| {
        let units = start.chunks_exact(2).map(|pair| {
            let pair = [pair[0], pair[1]];
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        let separated = units
            .clone()
            .any(|u| matches!(u, 0x2C | 0x09 | 0x3B | 0x0A | 0x0D));
        let no_zero = units.clone().all(|u| u != 0);
        // The sample may end inside a surrogate pair.
        let decoded = char::decode_utf16(units).collect::<Vec<_>>();
        let last = decoded.len().saturating_sub(1);
        let valid = decoded
            .iter()
            .enumerate()
            .all(|(i, c)| c.is_ok() || i == last);
        separated && no_zero && valid
    };
    start.len() >= 4 && (reads_as(false) || reads_as(true))
}

/// "column" or "columns", to follow a count.
fn columns(n: usize) -> &'static str {
    if n == 1 { "column" } else { "columns" }
}

/// "feature" or "features", to follow a count.
fn features(n: usize) -> &'static str {
    if n == 1 { "feature" } else { "features" }
}

/// Bytes a field may have: far more than any number needs.
pub const MAX_FIELD_BYTES: usize = 128;

/// What a file separated by `separator` is told about its decimals: spreadsheets separate
/// with `;` where a comma marks decimals.
fn decimal_hint(separator: char) -> &'static str {
    if separator == ';' {
        ", and decimals with a point: `decimal=\".\"`"
    } else {
        ""
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io { path, message } => write!(f, "cannot read {path}: {message}"),
            DataError::InFile { path, error } => write!(f, "{path}: {error}"),
            DataError::Empty => write!(f, "no header row: the data set is empty"),
            DataError::HeaderWidth { expected, found } => write!(
                f,
                "line 1: the header names {found} {}, expected {expected} ({} {} and a target)",
                columns(*found),
                expected - 1,
                features(expected - 1)
            ),
            DataError::NoSamples => write!(f, "a header row and no samples"),
            DataError::IndexColumn => write!(
                f,
                "line 1: the first column has no name, as pandas and R write a row index (write the file with pandas' `to_csv(path, index=False)` or R's `write.csv(frame, path, row.names = FALSE)`)"
            ),
            DataError::RowIdColumn { name } if name == PANDAS_INDEX => write!(
                f,
                "line 1: the first column, {name:?}, is pandas' row index, read from a file written with it and written again: it would be read as a feature (drop it, as in pandas' `frame.drop(columns=[{name:?}])`, or read the first file with `index_col=0`)"
            ),
            DataError::RowIdColumn { name } => write!(
                f,
                "line 1: the first column, {name:?}, numbers the rows (0, 1, 2, ... or 1, 2, 3, ... down the file) rather than describing them: it would be read as a feature (drop it, as in pandas' `frame.drop(columns=[{name:?}])`)"
            ),
            DataError::TrailingSeparator => write!(
                f,
                "line 1: the last column has no name: every line ends in a comma, and the empty field after it would be read as a column (write the file without the trailing separators)"
            ),
            DataError::SeparatorLine { separator: ',' } => write!(
                f,
                "line 1 is `sep=,`, the line that tells Excel a file's separator: no other reader takes it for one, and this one would read it as the header (delete the line, so that the header row comes first)"
            ),
            DataError::SeparatorLine { separator } => write!(
                f,
                "line 1 is `sep={separator}`, the line that tells Excel a file's separator: the file separates its columns with {separator:?}, and this reader with commas (write it with `sep=\",\"`{}, without the `sep=` line)",
                decimal_hint(*separator)
            ),
            DataError::Separator { separator: ' ' } => write!(
                f,
                "line 1 separates its columns with spaces, as numpy's `savetxt` writes by default, and this reader with commas (write the file with `delimiter=\",\"` and a header row naming the columns)"
            ),
            DataError::Separator { separator } => write!(
                f,
                "line 1: the header is one column holding {separator:?}: the file separates its columns with {separator:?}, and this reader with commas (write it with `sep=\",\"`{})",
                decimal_hint(*separator)
            ),
            DataError::Utf16 => write!(
                f,
                "the file is UTF-16 text (as Excel's \"Unicode Text\" and pandas' `encoding=\"utf-16\"` write): this reader reads UTF-8 (save it as \"CSV UTF-8\", write it with `encoding=\"utf-8\"`, or convert it)"
            ),
            DataError::Compressed { format } => write!(
                f,
                "the file is {format}, not CSV text: {}",
                if format.starts_with("a zip") {
                    "extract the CSV file from it (or, from a spreadsheet, save the sheet as \"CSV UTF-8\")"
                } else {
                    "decompress it first (pandas compresses a file whose name ends in `.gz`, `.xz`, `.zst` or `.bz2`: write it to a name ending in `.csv`)"
                }
            ),
            DataError::NotText { offset } => write!(
                f,
                "byte {offset} is a zero byte, which no text holds: the file is binary data, not CSV"
            ),
            DataError::NoHeader => write!(
                f,
                "line 1 holds numbers, not column names: the file has no header row, and its first sample would be lost (add a header row naming the features and the target)"
            ),
            DataError::NumberedHeader => write!(
                f,
                "line 1 holds only the numbers 0, 1, ...: pandas' default column names, or a first sample without a header row; name the columns (as in `x,y`) so that neither a sample is lost nor names read as one"
            ),
            DataError::NotFinite { line, column, text } => write!(
                f,
                "line {line}, column {column}: {text:?} is not a finite number of this float type{}",
                // Beyond f32's range, within f64's.
                if text.trim().parse::<f64>().is_ok_and(f64::is_finite) {
                    " (`f32`, up to 3.4e38; a data set of `f64`, `Dataset::<D, f64>`, reads it)"
                } else if text.trim().parse::<f64>().is_ok_and(f64::is_nan) {
                    // numpy's `savetxt` writes a missing value as `nan`.
                    MISSING_VALUE
                } else {
                    ""
                }
            ),
            DataError::NotUtf8 { line, column } => {
                write!(f, "line {line}, column {column}: not UTF-8 text")
            }
            DataError::FieldTooLong { line, column } => write!(
                f,
                "line {line}, column {column}: a field of more than {MAX_FIELD_BYTES} bytes is not a number"
            ),
            DataError::UnclosedQuote { line, column } => write!(
                f,
                "line {line}, column {column}: a quote opens this field and none closes it on its line"
            ),
            DataError::RowEndsInSeparator { line, expected } => write!(
                f,
                "line {line}: the line ends in a comma, and the empty field after it makes {} columns where the header names {expected} (write the file without the trailing separator)",
                expected + 1
            ),
            DataError::Width {
                line,
                expected,
                found,
            } => write!(
                f,
                "line {line}: {found} {}, expected {expected} ({} {} and a target)",
                columns(*found),
                expected - 1,
                features(expected - 1)
            ),
            DataError::TargetFirst { name } => write!(
                f,
                "line 1: the first column, {name:?}, has a target's name, and the target is the last column: this file's would be read as a feature (move it last, as in pandas' `frame[[c for c in frame.columns if c != {name:?}] + [{name:?}]]`, or rename the column if it is a feature)"
            ),
            DataError::Missing { line, column } => write!(
                f,
                "line {line}, column {column}: an empty field, a missing value (drop or fill such rows before writing the file, as pandas' `dropna()` does)"
            ),
            DataError::TargetNotANumber { line, column, text }
                if ["true", "false"]
                    .iter()
                    .any(|b| b.eq_ignore_ascii_case(text.trim())) =>
            {
                write!(
                    f,
                    "line {line}, column {column}: the target {text:?} is a boolean, not a number; a classifier's target is a class index (write it as 0 or 1, as pandas' `astype(int)` does)"
                )
            }
            DataError::TargetNotANumber { line, column, text } => write!(
                f,
                "line {line}, column {column}: the target {text:?} is not a number; a classifier's target is a class index 0, 1, 2, ... (map class names to indices before writing the file, as pandas' `factorize` does)"
            ),
            DataError::NotANumber { line, column, text } => {
                write!(f, "line {line}, column {column}: {text:?} is not a number")?;
                f.write_str(not_a_number_hint(text))
            }
            DataError::NotAClass { sample, value } => {
                write!(
                    f,
                    "targets[{sample}] is {}: not a class index (0, 1, 2, ...)",
                    Readable(*value)
                )
            }
        }
    }
}

impl DataError {
    /// What is wrong with the text: the error itself, or the one inside
    /// [`InFile`](DataError::InFile).
    ///
    /// ```
    /// use typed_nn::data::{DataError, Dataset};
    /// let path = std::env::temp_dir().join("typed-nn-cause-doc.csv");
    /// std::fs::write(&path, "a,b\n1,2\n")?;
    /// let err = Dataset::<2>::load(&path).unwrap_err();
    /// assert!(err.to_string().starts_with(&path.display().to_string()));
    /// assert_eq!(err.cause(), &DataError::HeaderWidth { expected: 3, found: 2 });
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cause(&self) -> &DataError {
        match self {
            DataError::InFile { error, .. } => error,
            other => other,
        }
    }
}

impl core::error::Error for DataError {}

/// Samples of `D` features, each with one numeric target.
///
/// ```
/// use typed_nn::data::Dataset;
/// let csv = "a,b,y\n1,2,0\n3,4,1\n";
/// let data = Dataset::<2>::from_csv(csv)?;
/// assert_eq!(data.features, vec![[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(data.classes()?, vec![0, 1]);
/// assert!(Dataset::<3>::from_csv(csv).is_err()); // 3 features need 4 columns
/// # Ok::<(), typed_nn::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<const D: usize, F = f32> {
    /// One row of features per sample.
    pub features: Vec<[F; D]>,
    /// One target per sample.
    pub targets: Vec<F>,
}

impl<const D: usize, F: Float> Dataset<D, F> {
    /// Parses CSV text: a header row naming `D` feature columns and then the target column
    /// (the last), then one row per sample. A header whose first column has a target's name
    /// (`label`, `target`, `class`, `y`, `species`, ...) while its last does not is refused
    /// ([`DataError::TargetFirst`]): its target would be read as a feature. A first row of pandas' default names `0,1,2,...` (a frame built from an
    /// array) is a header from three columns on; `0,1` could as well be a first sample, and
    /// is refused ([`DataError::NumberedHeader`]). Blank lines are skipped. An error in a field
    /// (not a number, or not a finite one in `F`, missing, not UTF-8, an unclosed quote) names
    /// its line and column (both from 1), a row of another width its line; a header of another
    /// width and a file with a header and no samples are errors of their own.
    ///
    /// ```
    /// use typed_nn::data::{DataError, Dataset};
    /// let err = Dataset::<2>::from_csv("a,b,y\n1,2,0\n3,NaN,1\n").unwrap_err();
    /// assert!(err.to_string().starts_with("line 3, column 2: \"NaN\" is not a finite number"));
    /// assert_eq!(
    ///     Dataset::<2>::from_csv("a,y\n1,2,0\n"),
    ///     Err(DataError::HeaderWidth { expected: 3, found: 2 })
    /// );
    /// ```
    pub fn from_csv(text: &str) -> Result<Self, DataError> {
        Self::from_csv_bytes(text.as_bytes())
    }

    /// [`from_csv`](Self::from_csv) on bytes, which may hold text that is not UTF-8 (an
    /// error naming its line and column).
    pub fn from_csv_bytes(bytes: &[u8]) -> Result<Self, DataError> {
        // The byte-order mark that spreadsheets write before UTF-8 text ("CSV UTF-8") is no
        // part of the first field: kept, it would make a first sample's number a name.
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if is_utf16(bytes) {
            return Err(DataError::Utf16);
        }
        if let Some(format) = compressed(bytes) {
            return Err(DataError::Compressed { format });
        }
        if let Some(offset) = bytes.iter().position(|&b| b == 0) {
            return Err(DataError::NotText { offset });
        }
        if let Some(separator) = excel_separator_line(bytes) {
            return Err(DataError::SeparatorLine { separator });
        }
        let mut csv = CsvRecords::new(bytes);
        // What the header's fields say about the file: a first column without a name is
        // pandas' row index; numbers other than pandas' default column names 0, 1, 2, ...
        // are a first sample, in a file without a header row.
        let (mut unnamed_first, mut numbers, mut counting) = (false, 0, true);
        let mut separator = None;
        let (mut first_name, mut last_is_target, mut last_unnamed) = (String::new(), false, false);
        let header = csv
            .next_header(|column, text| {
                let text = text.trim();
                if column == 1 {
                    first_name = text.to_string();
                }
                last_is_target = names_a_target(text);
                last_unnamed = text.is_empty();
                separator = separator.or(text.chars().find(|c| matches!(c, ';' | '\t' | '|')));
                unnamed_first |= column == 1 && text.is_empty();
                // A number, finite or not, or an empty field (a missing value): what a
                // first sample holds, and no name does.
                numbers += usize::from(text.is_empty() || text.parse::<f64>().is_ok());
                counting &= text.parse::<usize>() == Ok(column - 1);
                Ok(())
            })?
            .ok_or(DataError::Empty)?;
        if unnamed_first && header.columns > 1 {
            return Err(DataError::IndexColumn);
        }
        // numpy's `savetxt` starts its header with `# `.
        let first_bare = first_name.trim_start_matches('#').trim().to_string();
        // pandas' index read back and written again: no feature has its name.
        if header.columns > 1 && first_bare == PANDAS_INDEX {
            return Err(DataError::RowIdColumn { name: first_bare });
        }
        if numbers == header.columns && !counting {
            return Err(DataError::NoHeader);
        }
        // `0,1` is as likely a first sample (feature 0, class 1) as pandas' names.
        if numbers == header.columns && counting && header.columns <= 2 {
            return Err(DataError::NumberedHeader);
        }
        // An unnamed last column whose first row's field is empty too: every line ends in a
        // separator. (A target column left unnamed, its fields full, is read.)
        let first_row = first_data_line(bytes);
        if last_unnamed
            && header.columns > 1
            && first_row.is_some_and(|line| line.trim_end().ends_with(','))
        {
            return Err(DataError::TrailingSeparator);
        }
        if header.columns != D + 1
            && header.columns == 1
            && let Some(separator) = separator
        {
            return Err(DataError::Separator { separator });
        }
        // One field of several numbers, or numpy's `# ` header of several names: a file
        // separated by spaces, whatever its width. A name with spaces in it (`sepal length`)
        // stays a width error.
        let several_numbers = |text: &str| {
            let mut words = text.split_whitespace();
            let numbers = words.clone().all(|w| w.parse::<f64>().is_ok());
            numbers && words.nth(1).is_some()
        };
        // numpy's `# ` header, and rows of numbers under it (`# of rooms` over `3` is a name).
        let numpy_header = first_name.starts_with('#')
            && first_bare.split_whitespace().nth(1).is_some()
            && first_row.is_some_and(several_numbers);
        if header.columns != D + 1
            && header.columns == 1
            && (several_numbers(&first_name) || numpy_header)
        {
            return Err(DataError::Separator { separator: ' ' });
        }
        // A first column named as a counter whose values count the rows: a row id, which would
        // be read as a feature at the model's width, and is the column too many at one more.
        if (header.columns == D + 1 && D > 0 || header.columns == D + 2)
            && names_a_counter(&first_bare)
            && first_column_counts_rows(bytes)
        {
            return Err(DataError::RowIdColumn { name: first_bare });
        }
        if header.columns != D + 1 {
            return Err(DataError::HeaderWidth {
                expected: D + 1,
                found: header.columns,
            });
        }
        if header.columns > 1 && names_a_target(&first_bare) && !last_is_target {
            return Err(DataError::TargetFirst { name: first_bare });
        }
        let mut data = Dataset {
            features: Vec::new(),
            targets: Vec::new(),
        };
        loop {
            let (mut row, mut target) = ([F::ZERO; D], F::ZERO);
            // The field just past the last column, when it is empty: a trailing separator if
            // it ends the line.
            let mut empty_past_last = false;
            let record = csv.next_record(|line, column, text| {
                // A field past the last column is the width error that follows, whatever it
                // holds.
                if column > D + 1 {
                    empty_past_last |= column == D + 2 && text.trim().is_empty();
                    return Ok(());
                }
                let value = parse_number::<F>(text).map_err(|finite| {
                    let text = text.to_string();
                    match finite {
                        _ if text.trim().is_empty() => DataError::Missing { line, column },
                        true => DataError::NotFinite { line, column, text },
                        false if column == D + 1 && !marks_missing(&text) => {
                            DataError::TargetNotANumber { line, column, text }
                        }
                        false => DataError::NotANumber { line, column, text },
                    }
                })?;
                match column - 1 {
                    c if c < D => row[c] = value,
                    c if c == D => target = value,
                    _ => {}
                }
                Ok(())
            })?;
            let Some(record) = record else { break };
            if record.columns == D + 2 && empty_past_last {
                return Err(DataError::RowEndsInSeparator {
                    line: record.line,
                    expected: D + 1,
                });
            }
            if record.columns != D + 1 {
                return Err(DataError::Width {
                    line: record.line,
                    expected: D + 1,
                    found: record.columns,
                });
            }
            data.features.push(row);
            data.targets.push(target);
        }
        if data.is_empty() {
            return Err(DataError::NoSamples);
        }
        Ok(data)
    }

    /// Reads and parses a CSV file; see [`Dataset::from_csv`]. An error in its text comes as
    /// [`DataError::InFile`], naming the file ([`DataError::cause`] gives the text's error).
    #[cfg(feature = "std")]
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, DataError> {
        let path = path.as_ref();
        let bytes = read_text(path).map_err(|e| DataError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_csv_bytes(&bytes).map_err(|error| DataError::InFile {
            path: path.display().to_string(),
            error: alloc::boxed::Box::new(error),
        })
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    /// Splits into (train, test): sample `i` is a test sample when `i % every == 0`. With
    /// `every = 5` this is the canonical split of the bundled data sets. `every = 0` puts
    /// everything in train.
    pub fn split_every(&self, every: usize) -> (Self, Self) {
        let mut train = Dataset {
            features: Vec::new(),
            targets: Vec::new(),
        };
        let mut test = Dataset {
            features: Vec::new(),
            targets: Vec::new(),
        };
        for (i, (x, t)) in self.features.iter().zip(&self.targets).enumerate() {
            let part = if every != 0 && i % every == 0 {
                &mut test
            } else {
                &mut train
            };
            part.features.push(*x);
            part.targets.push(*t);
        }
        (train, test)
    }

    /// The canonical split of the bundled data sets (every fifth sample is a test sample), with
    /// features standardised by the training samples' mean and standard deviation, and the
    /// [`Standardizer`] fitted, for the inputs the model meets later. Sample 0 is always a
    /// test sample: a data set of one sample leaves the training set empty (and the scaler the
    /// identity), which training then refuses as too few samples for a batch.
    ///
    /// ```
    /// use typed_nn::data::Dataset;
    /// let data = Dataset::<1>::from_csv("x,y\n10,0\n1,0\n3,0\n1,0\n3,0\n")?;
    /// let (train, test, scaler) = data.standardized_split();
    /// assert_eq!(train.features, vec![[-1.0], [1.0], [-1.0], [1.0]]);
    /// assert_eq!(test.features, vec![[8.0]]);
    /// assert_eq!(scaler.transform(&[10.0]), [8.0]); // a new input, standardised the same way
    /// # Ok::<(), typed_nn::data::DataError>(())
    /// ```
    pub fn standardized_split(&self) -> (Self, Self, Standardizer<D, F>) {
        let (mut train, mut test) = self.split_every(5);
        let scaler = Standardizer::fit(&train.features);
        scaler.apply(&mut train.features);
        scaler.apply(&mut test.features);
        (train, test, scaler)
    }

    /// The targets as class indices, or an error naming the first that is not one.
    pub fn classes(&self) -> Result<Vec<usize>, DataError> {
        self.targets
            .iter()
            .enumerate()
            .map(|(index, &t)| {
                let value = t.as_f64();
                let whole = num_traits::Float::fract(value) == 0.0;
                if value >= 0.0 && whole && value < usize::MAX as f64 {
                    Ok(value as usize)
                } else {
                    Err(DataError::NotAClass {
                        sample: index,
                        value,
                    })
                }
            })
            .collect()
    }

    /// The targets as rows of one value, `[F; 1]`: the shape of a model of one output's
    /// prediction, which [`Mse`](crate::Mse) and [`BinaryCrossEntropy`](crate::BinaryCrossEntropy)
    /// compare it with, and [`eval::mse`](crate::eval::mse), [`eval::r_squared`](crate::eval::r_squared)
    /// and [`eval::binary_accuracy`](crate::eval::binary_accuracy) take.
    ///
    /// ```
    /// use typed_nn::data::Dataset;
    /// let data = Dataset::<1>::from_csv("x,y\n1,0.5\n2,1.5\n")?;
    /// assert_eq!(data.target_rows(), vec![[0.5], [1.5]]);
    /// # Ok::<(), typed_nn::data::DataError>(())
    /// ```
    pub fn target_rows(&self) -> Vec<[F; 1]> {
        self.targets.iter().map(|&t| [t]).collect()
    }

    /// Multiplies every feature by `factor` (for example `1.0 / 16.0` for the digits' pixels).
    pub fn scale(&mut self, factor: F) {
        self.features
            .iter_mut()
            .flatten()
            .for_each(|v| *v *= factor);
    }
}

/// The name pandas gives a file's unnamed first column (its row index) when it reads it.
const PANDAS_INDEX: &str = "Unnamed: 0";

/// Whether a first column's name may be a row number's: `index` (pandas' `reset_index`) or
/// `id` (compared without case). Refused only when its values count the rows.
fn names_a_counter(name: &str) -> bool {
    ["index", "id"].iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// Whether `values` count the rows: 0, 1, 2, ... or 1, 2, 3, ..., at least two of them.
fn count_rows<F: Float>(values: impl Iterator<Item = F> + Clone) -> bool {
    let from = |base: usize| {
        values
            .clone()
            .enumerate()
            .all(|(i, v)| v == F::from_usize(i + base))
    };
    values.clone().nth(1).is_some() && (from(0) || from(1))
}

/// Whether the first field of every row below the header counts the rows ([`count_rows`]);
/// false for text that does not parse.
fn first_column_counts_rows(bytes: &[u8]) -> bool {
    let mut csv = CsvRecords::new(bytes);
    let mut ids: Vec<f64> = Vec::new();
    if !matches!(csv.next_header(|_, _| Ok(())), Ok(Some(_))) {
        return false;
    }
    loop {
        let record = csv.next_record(|_, column, text| {
            if column == 1 {
                ids.push(text.trim().parse().unwrap_or(f64::NAN));
            }
            Ok(())
        });
        match record {
            Ok(Some(_)) => {}
            Ok(None) => return count_rows(ids.into_iter()),
            Err(_) => return false,
        }
    }
}

/// The first line after the header that holds anything, as text (`None` when there is none,
/// or it is not UTF-8): what the header's checks look at to tell a file's layout.
fn first_data_line(bytes: &[u8]) -> Option<&str> {
    let mut lines = bytes.split(|&b| b == b'\n').skip(1);
    let line = lines.find(|l| !l.iter().all(u8::is_ascii_whitespace))?;
    core::str::from_utf8(line).ok()
}

/// What a field that is not a number may be instead: a decimal comma, or a boolean.
fn not_a_number_hint(text: &str) -> &'static str {
    let text = text.trim();
    if text.contains(',') && text.replacen(',', ".", 1).parse::<f64>().is_ok() {
        " (a decimal comma: write numbers with a decimal point, as pandas' `decimal=\".\"` does)"
    } else if ["true", "false"]
        .iter()
        .any(|b| b.eq_ignore_ascii_case(text))
    {
        " (a boolean: write it as 0 or 1, as pandas' `astype(int)` does)"
    } else if marks_missing(text) {
        MISSING_VALUE
    } else {
        ""
    }
}

/// The hint of a field that marks a missing value (`NA`, `nan`, ...): what it is and what to
/// do, as [`DataError::Missing`] says of an empty field.
const MISSING_VALUE: &str = " (a missing value: drop or fill such rows before writing the file, as pandas' `dropna()` does)";

/// Whether `text` is one of the marks data sets write for a missing value (compared without
/// case): R's `NA`, spreadsheets' `#N/A`, pandas' `<NA>` and its other `na_values`, and the
/// `?` of the UCI repository's files. (`NaN` parses, and is refused as not finite.)
fn marks_missing(text: &str) -> bool {
    #[rustfmt::skip]
    const MARKS: [&str; 10] = ["NA", "N/A", "#N/A", "#NA", "<NA>", "NULL", "None", "nil", "?", "-"];
    let text = text.trim();
    MARKS.iter().any(|m| m.eq_ignore_ascii_case(text))
}

/// Whether a column's name is one that data sets give their target (compared without case).
fn names_a_target(name: &str) -> bool {
    #[rustfmt::skip]
    const NAMES: [&str; 13] = [
        "label", "labels", "target", "targets", "class", "classes", "y", "species", "variety",
        "digit", "outcome", "diagnosis", "category",
    ];
    NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// A number in `F`: `Err(false)` when `text` is not a number, `Err(true)` when it is one but
/// not finite in `F`.
fn parse_number<F: Float>(text: &str) -> Result<F, bool> {
    let text = text.trim();
    // Parsed in the data set's own type: through f64 first, a decimal near a midpoint of two
    // f32 values would be rounded twice.
    let value = if F::BYTES == 4 {
        F::from_f64(f64::from(text.parse::<f32>().map_err(|_| false)?))
    } else {
        F::from_f64(text.parse::<f64>().map_err(|_| false)?)
    };
    if num_traits::Float::is_finite(value) {
        Ok(value)
    } else {
        Err(true)
    }
}

/// The records of CSV bytes, read with `csv-core`, with the line each starts on.
struct CsvRecords<'a> {
    reader: csv_core::Reader,
    bytes: &'a [u8],
    /// Bytes read so far.
    pos: usize,
    /// Newlines before `counted`.
    newlines: usize,
    counted: usize,
}

/// What [`CsvRecords::next_record`] read.
struct Record {
    /// The 1-based line the record starts on.
    line: usize,
    /// Fields in the record.
    columns: usize,
}

impl<'a> CsvRecords<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        CsvRecords {
            reader: csv_core::Reader::new(),
            bytes,
            pos: 0,
            newlines: 0,
            counted: 0,
        }
    }

    /// The 1-based line of byte `at` (never before the last one asked for). A line ends with
    /// `\n`, `\r\n`, or a `\r` alone (as old Mac programs write).
    fn line_at(&mut self, at: usize) -> usize {
        for i in self.counted..at {
            let ends = match self.bytes[i] {
                b'\n' => true,
                b'\r' => self.bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            self.newlines += usize::from(ends);
        }
        self.counted = at;
        self.newlines + 1
    }

    /// [`DataError::UnclosedQuote`] when the field read from `start` opens with a quote and has
    /// run on past the end of its line, or to the end of the text without a closing quote.
    fn unclosed_quote(&self, start: usize, line: usize, column: usize) -> Option<DataError> {
        // A field that ends its record has read the line break after it: only a break
        // inside the field means it ran on.
        let field = self.bytes[start..self.pos].trim_ascii();
        let ran_on = field.iter().any(|b| matches!(b, b'\n' | b'\r'));
        // Opening and closing quotes pair up, as do the doubled quotes inside: an odd count
        // is a quote still open where the text ends.
        let open = field.iter().filter(|&&b| b == b'"').count() % 2 == 1;
        (field.starts_with(b"\"") && (ran_on || open))
            .then_some(DataError::UnclosedQuote { line, column })
    }

    /// Reads the header: [`next_record`](Self::next_record), calling `field(column, text)`,
    /// where names are any text of any length (never parsed, only told apart from numbers):
    /// one longer than a field's buffer or not UTF-8 is passed as `NAME`.
    fn next_header(
        &mut self,
        mut field: impl FnMut(usize, &str) -> Result<(), DataError>,
    ) -> Result<Option<Record>, DataError> {
        self.records(true, |_, column, text| field(column, text))
    }

    /// Reads the next record that is not blank, calling `field(line, column, text)` for each
    /// of its fields; `None` at the end of the text.
    fn next_record(
        &mut self,
        field: impl FnMut(usize, usize, &str) -> Result<(), DataError>,
    ) -> Result<Option<Record>, DataError> {
        self.records(false, field)
    }

    /// [`next_record`](Self::next_record), or [`next_header`](Self::next_header) if `header`.
    fn records(
        &mut self,
        header: bool,
        mut field: impl FnMut(usize, usize, &str) -> Result<(), DataError>,
    ) -> Result<Option<Record>, DataError> {
        const NAME: &str = "(a name)";
        loop {
            // Blank lines (csv-core would skip them too, after their line had been counted).
            let rest = &self.bytes[self.pos..];
            self.pos += rest
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .count();
            if self.pos == self.bytes.len() {
                return Ok(None);
            }
            let line = self.line_at(self.pos);
            let mut buffer = [0u8; MAX_FIELD_BYTES];
            let (mut columns, mut blank) = (0, true);
            loop {
                let column = columns + 1;
                let (mut len, mut long) = (0, false);
                let start = self.pos;
                let end = loop {
                    let (result, read, written) = self
                        .reader
                        .read_field(&self.bytes[self.pos..], &mut buffer[len..]);
                    self.pos += read;
                    len += written;
                    match result {
                        csv_core::ReadFieldResult::InputEmpty => {}
                        // A long name is read on and dropped.
                        csv_core::ReadFieldResult::OutputFull if header => (len, long) = (0, true),
                        csv_core::ReadFieldResult::OutputFull => {
                            return Err(self
                                .unclosed_quote(start, line, column)
                                .unwrap_or(DataError::FieldTooLong { line, column }));
                        }
                        csv_core::ReadFieldResult::Field { record_end } => break record_end,
                        csv_core::ReadFieldResult::End => break true,
                    }
                };
                if let Some(error) = self.unclosed_quote(start, line, column) {
                    return Err(error);
                }
                let text = match core::str::from_utf8(&buffer[..len]) {
                    _ if long => NAME,
                    Ok(text) => text,
                    Err(_) if header => NAME,
                    Err(_) => return Err(DataError::NotUtf8 { line, column }),
                };
                columns += 1;
                blank &= end && columns == 1 && text.trim().is_empty();
                if !blank {
                    field(line, column, text)?;
                }
                if end {
                    break;
                }
            }
            // A line of spaces is blank too.
            if !blank {
                return Ok(Some(Record { line, columns }));
            }
        }
    }
}

/// Per-feature mean and standard deviation, fitted on training data and applied to any data,
/// so that every feature has mean 0 and variance 1 on the training set.
///
/// A model trained on standardised inputs needs its standardizer at inference time. It
/// implements [`Params`] (its means, then its standard deviations), so it saves and loads
/// with the model as one value: `let deployed = (scaler, model);` then
/// `io::save(path, &deployed)` writes both in one file (see [`io::save`](crate::io::save));
/// and [`Forward`], so that pair is a model of raw features: `deployed.infer(&raw)`. The pair
/// owns both: build it once and use it, or clone the two into it.
///
/// ```
/// use typed_nn::data::{Dataset, Standardizer};
/// let mut train = Dataset::<1>::from_csv("x,y\n1,0\n3,0\n")?;
/// let s = Standardizer::fit(&train.features);
/// s.apply(&mut train.features);
/// assert_eq!(train.features, vec![[-1.0], [1.0]]);
/// # Ok::<(), typed_nn::data::DataError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer<const D: usize, F = f32> {
    /// The mean of each feature.
    pub mean: [F; D],
    /// The standard deviation of each feature (1 where a feature is constant, or its
    /// deviation is below `F`'s normal numbers, so that applying it never divides by zero or
    /// overflows).
    pub std: [F; D],
}

impl<const D: usize, F: Float> Standardizer<D, F> {
    /// Fits means and (population) standard deviations in `f64`.
    ///
    /// Features read by [`Dataset::from_csv`] are finite. Of features given by hand, one with
    /// a NaN or an infinity among its values gets a mean that is not finite (and a standard
    /// deviation of 1), so that every value of it standardised is NaN, and a
    /// [`Trainer`](crate::train::Trainer) refuses the first step that meets it: nothing
    /// trains on it unnoticed. Check with [`is_finite`](Self::is_finite).
    pub fn fit(features: &[[F; D]]) -> Self {
        // A feature that takes one value is recognised as such, not by its deviation: the
        // mean of seven 0.1s in f64 is not 0.1 to the last bit, and the deviation from it,
        // 1e-17, would scale the feature by 7e15.
        let constant: [Option<F>; D] = core::array::from_fn(|i| {
            let first = features.first()?[i];
            features.iter().all(|row| row[i] == first).then_some(first)
        });
        let n = features.len().max(1) as f64;
        let mut mean = [0.0f64; D];
        for row in features {
            row.iter()
                .zip(&mut mean)
                .for_each(|(v, m)| *m += v.as_f64() / n);
        }
        // Deviations are taken in halves (exact: a difference of halves cannot overflow, where
        // one of a feature spanning -1.7e308 to 1.7e308 would) and summed in units of the
        // largest, so that features near f64's range (1e200) do not overflow their squares.
        let half_deviation = |v: &F, m: &f64| v.as_f64() / 2.0 - m / 2.0;
        let mut largest = [0.0f64; D];
        for row in features {
            for ((v, m), l) in row.iter().zip(&mean).zip(&mut largest) {
                *l = l.max(half_deviation(v, m).abs());
            }
        }
        let mut var = [0.0f64; D];
        for row in features {
            for (((v, m), s), &l) in row.iter().zip(&mean).zip(&mut var).zip(&largest) {
                if l > 0.0 {
                    let d = half_deviation(v, m) / l;
                    *s += d * d / n;
                }
            }
        }
        // The standard deviation, back in the features' units (infinite past f64's range,
        // which the scale below bounds).
        let deviation: [f64; D] =
            core::array::from_fn(|i| num_traits::Float::sqrt(var[i]) * largest[i] * 2.0);
        Standardizer {
            // A constant feature's own value, so that it becomes exactly 0.
            mean: core::array::from_fn(|i| constant[i].unwrap_or(F::from_f64(mean[i]))),
            // A feature that does not vary, or varies below what `F` holds as a normal number
            // (whose quotient would overflow), keeps its scale: a standard deviation of 1. One
            // that spans more than `F` holds (from -MAX to MAX) is scaled by MAX.
            std: core::array::from_fn(|i| {
                let std = F::from_f64(deviation[i]);
                if constant[i].is_some() {
                    F::ONE
                } else if num_traits::Float::is_normal(std) {
                    std
                } else if num_traits::Float::is_infinite(std) {
                    F::max_value()
                } else {
                    F::ONE
                }
            }),
        }
    }

    /// Whether every mean and standard deviation is finite: false when the features it was
    /// fitted on held a NaN or an infinity.
    ///
    /// ```
    /// use typed_nn::data::Standardizer;
    /// assert!(Standardizer::fit(&[[1.0f32, 2.0], [3.0, 5.0]]).is_finite());
    /// assert!(!Standardizer::fit(&[[1.0f32, f32::NAN], [3.0, 5.0]]).is_finite());
    /// ```
    pub fn is_finite(&self) -> bool {
        self.mean.iter().chain(&self.std).all(|v| v.is_finite())
    }

    /// One input standardised: each feature `x` becomes `(x - mean) / std`.
    pub fn transform(&self, input: &[F; D]) -> [F; D] {
        self.infer(input)
    }

    /// Replaces each feature `x` by `(x - mean) / std`.
    pub fn apply(&self, features: &mut [[F; D]]) {
        for row in features {
            *row = self.transform(row);
        }
    }
}

impl<const D: usize, F: Float> Zero for Standardizer<D, F> {
    /// Means 0 and standard deviations 1: the standardizer that changes nothing.
    const ZERO: Self = Standardizer {
        mean: [F::ZERO; D],
        std: [F::ONE; D],
    };
}

impl<const D: usize, F> ParamCount for Standardizer<D, F> {
    const PARAM_COUNT: usize = 2 * D;
}

/// An input that a [`Standardizer<D, F>`] takes as a model's first layer: one sample `[F; D]`
/// or a batch `[[F; D]; B]`.
#[diagnostic::on_unimplemented(
    message = "shape mismatch: `Standardizer<{D}, {F}>` cannot take input `{Self}`",
    label = "`Standardizer<{D}, {F}>` takes `[{F}; {D}]` or a batch `[[{F}; {D}]; B]`"
)]
pub trait StandardizerInput<const D: usize, F: Float>: Tensor<Elem = F> {}

#[diagnostic::do_not_recommend]
impl<F: Float, const D: usize> StandardizerInput<D, F> for [F; D] {}

#[diagnostic::do_not_recommend]
impl<F: Float, const D: usize, const B: usize> StandardizerInput<D, F> for [[F; D]; B] {}

/// A standardizer in front of a model makes one model of raw features:
/// `(scaler, model).infer(&raw)` standardises, then runs the model, and so do the
/// [`eval`](crate::eval) functions, and the pair saves and loads as one value. It has no
/// backward pass, so such a pair does not train (its means and deviations are fitted, not
/// learned): train the model on standardised data, then put the scaler in front.
///
/// ```
/// use typed_nn::data::Standardizer;
/// use typed_nn::{Forward, Linear};
/// let scaler = Standardizer::<2>::fit(&[[1.0, 10.0], [3.0, 30.0]]);
/// let model = Linear::<2, 1>::from_parts([[1.0, 1.0]], [0.0]);
/// let deployed = (scaler, model);
/// // (3 - 2) / 1 + (30 - 20) / 10
/// assert_eq!(deployed.infer(&[3.0, 30.0]), [2.0]);
/// ```
impl<X, const D: usize, F> Forward<X> for Standardizer<D, F>
where
    F: Float,
    X: StandardizerInput<D, F>,
{
    type Output = X;
    type Cache = ();
    const CACHE_FLOATS: usize = 0;

    fn infer(&self, x: &X) -> X {
        let mut y = X::ZERO;
        self.forward(x, &mut y, &mut ());
        y
    }

    fn forward(&self, x: &X, out: &mut X, _: &mut ()) {
        // Each row's features meet the means and deviations in turn (none at all for D = 0).
        let stats = self.mean.iter().zip(&self.std).cycle();
        for ((y, &v), (&m, &s)) in out.flat_mut().iter_mut().zip(x.flat()).zip(stats) {
            let difference = v - m;
            // A finite value and mean further apart than `F` holds (-3e38 from a mean of 1e38
            // in f32) are divided first: the quotient is finite where the difference is not.
            *y = if difference.is_finite() || !v.is_finite() {
                difference / s
            } else {
                v / s - m / s
            };
        }
    }

    fn non_finite_input(x: &X) -> Option<NonFinite> {
        first_non_finite(x)
    }
}

impl<X: StandardizerInput<D, F>, const D: usize, F: Float> crate::describe::Describe<X>
    for Standardizer<D, F>
{
    const FITTED_PARAMS: usize = 2 * D;
}

/// Its tensors for safetensors, as a PyTorch module that standardises its input keeps them
/// (`self.register_buffer("mean", ..)`, then `"std"`, each of `D` values, and a forward pass
/// of `(x - self.mean) / self.std`): such a module's file, its layers named one by one, reads
/// into `(Standardizer<D>, Linear<D, H>, ...)` with `Naming::Layers(&["", "fc1", ...])`, the
/// empty name for the buffers at the module's top level. A fitted standardizer in front of a
/// model saves with it the same way.
impl<const D: usize, F> crate::io::Tensors for Standardizer<D, F> {
    fn tensors(layer: &mut dyn FnMut(&'static str, &[crate::io::TensorShape])) {
        use crate::io::TensorShape;
        let (mean, std) = (
            TensorShape::new("mean", &[D]),
            TensorShape::new("std", &[D]),
        );
        layer(core::any::type_name::<Self>(), &[mean, std]);
    }
}

/// For saving and loading with [`io`](crate::io); no optimizer should update it.
impl<const D: usize, F: Float> Params<F> for Standardizer<D, F> {
    fn visit(&self, f: &mut impl FnMut(&[F])) {
        f(&self.mean);
        f(&self.std);
    }

    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [F])) {
        f(&mut self.mean);
        f(&mut self.std);
    }

    fn zip_mut<const K: usize>(
        &mut self,
        others: [&mut Self; K],
        f: &mut impl FnMut(&mut [F], [&mut [F]; K]),
    ) {
        let mut others = others;
        f(&mut self.mean, others.each_mut().map(|o| &mut o.mean[..]));
        f(&mut self.std, others.each_mut().map(|o| &mut o.std[..]));
    }
}

/// The bytes of the file at `path`: all of a regular file; of anything else (a pipe, a
/// device), which may never end, everything up to its end or up to the first block that
/// holds a zero byte, once [`SNIFF_BYTES`] are read. Text holds none but UTF-16, which those
/// bytes tell apart, so a device of binary bytes (`/dev/zero`, `/dev/urandom`) is refused as
/// not text rather than read without end.
#[cfg(feature = "std")]
fn read_text(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    if file.metadata()?.is_file() {
        file.read_to_end(&mut bytes)?;
        return Ok(bytes);
    }
    let (mut block, mut zero) = ([0u8; 1 << 16], false);
    loop {
        let read = match file.read(&mut block) {
            Ok(0) => return Ok(bytes),
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        bytes.extend_from_slice(&block[..read]);
        zero |= block[..read].contains(&0);
        // Read as far as a regular file's first bytes are looked at, whatever the writer's
        // pieces: UTF-16 is told apart there.
        if zero && bytes.len() >= SNIFF_BYTES {
            return Ok(bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn errors_name_the_line_and_column() {
        let bad_width = Dataset::<2, f32>::from_csv("a,b,y\n1,2,3\n1,2\n");
        assert_eq!(
            bad_width,
            Err(DataError::Width {
                line: 3,
                expected: 3,
                found: 2
            })
        );
        let bad_number = Dataset::<2, f32>::from_csv("a,b,y\n1,x,3\n");
        assert_eq!(
            bad_number,
            Err(DataError::NotANumber {
                line: 2,
                column: 2,
                text: "x".to_string()
            })
        );
        assert!(
            bad_number
                .unwrap_err()
                .to_string()
                .contains("line 2, column 2")
        );
        assert_eq!(Dataset::<2, f32>::from_csv(""), Err(DataError::Empty));
        let not_class = Dataset::<1, f32>::from_csv("a,y\n1,0.5\n")
            .unwrap()
            .classes();
        assert_eq!(
            not_class,
            Err(DataError::NotAClass {
                sample: 0,
                value: 0.5
            })
        );
    }

    #[test]
    fn canonical_split_takes_every_fifth_row_for_test() {
        let csv: String = core::iter::once("x,y\n".to_string())
            .chain((0..10).map(|i| alloc::format!("{i},0\n")))
            .collect();
        let data = Dataset::<1, f64>::from_csv(&csv).unwrap();
        let (train, test) = data.split_every(5);
        assert_eq!(test.features, vec![[0.0], [5.0]]);
        assert_eq!(train.len(), 8);
    }

    #[test]
    fn standardised_training_features_have_mean_0_and_variance_1() {
        let mut rows = vec![[1.0f64, 5.0], [2.0, 5.0], [6.0, 5.0]];
        let s = Standardizer::fit(&rows);
        s.apply(&mut rows);
        let mean: f64 = rows.iter().map(|r| r[0]).sum::<f64>() / 3.0;
        let var: f64 = rows.iter().map(|r| r[0] * r[0]).sum::<f64>() / 3.0;
        assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        assert_eq!(rows[0][1], 0.0, "a constant feature becomes 0, not NaN");
    }
}
