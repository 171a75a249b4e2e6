//! CSV data: every malformed file is an error naming its line and column, blank lines are
//! skipped, and the fitted standardizer travels with the model.

mod common;

use typed_nn::data::{DataError, Dataset};
use typed_nn::io;
use typed_nn::prelude::*;
use typed_nn::rand::{SeedableRng, rngs::SmallRng};

fn parse(text: &str) -> Result<Dataset<2>, DataError> {
    Dataset::<2>::from_csv(text)
}

#[test]
fn numbers_that_are_not_finite_are_errors_with_their_position() {
    for (cell, column) in [("NaN", 1), ("inf", 2), ("-infinity", 3), ("1e40", 1)] {
        let mut row = ["1", "2", "0"];
        row[column - 1] = cell;
        let text = format!("a,b,y\n1,2,0\n{}\n", row.join(","));
        assert_eq!(
            parse(&text),
            Err(DataError::NotFinite {
                line: 3,
                column,
                text: cell.to_string()
            }),
            "{cell}"
        );
    }
    // 1e40 is finite in f64.
    assert!(Dataset::<2, f64>::from_csv("a,b,y\n1e40,2,0\n").is_ok());
}

#[test]
fn header_and_row_widths_are_checked() {
    assert_eq!(
        parse("a,b\n1,2,0\n"),
        Err(DataError::HeaderWidth {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        parse("a,b,y\n1,2,0\n1,2,0,4\n"),
        Err(DataError::Width {
            line: 3,
            expected: 3,
            found: 4
        })
    );
    assert_eq!(parse("a,b,y\n"), Err(DataError::NoSamples));
    // Counts in words that agree with them.
    let one = DataError::HeaderWidth {
        expected: 2,
        found: 1,
    };
    assert_eq!(
        one.to_string(),
        "line 1: the header names 1 column, expected 2 (1 feature and a target)"
    );
    let row = DataError::Width {
        line: 4,
        expected: 3,
        found: 1,
    };
    assert_eq!(
        row.to_string(),
        "line 4: 1 column, expected 3 (2 features and a target)"
    );
    assert_eq!(parse("a,b,y\n\n\n"), Err(DataError::NoSamples));
    // A trailing comma is a fourth, empty column: a width error named as that, not a number
    // error.
    assert_eq!(
        parse("a,b,y\n1,2,0,\n"),
        Err(DataError::RowEndsInSeparator {
            line: 2,
            expected: 3
        })
    );
    assert_eq!(parse(""), Err(DataError::Empty));
}

/// Files as other tools write them by default: pandas' `to_csv(path)` with its row index
/// (a first column without a name), numpy's `savetxt` (no header row), and pandas' default
/// column names 0, 1, 2, ... (which are a header).
#[test]
fn a_row_index_or_a_missing_header_is_named_not_read_as_data() {
    // With the index, the widths may even agree: `Dataset<2>` of one feature plus the index.
    assert_eq!(
        parse(",a,y\n0,1.5,0\n1,2.5,1\n"),
        Err(DataError::IndexColumn)
    );
    assert_eq!(parse(",a,b,y\n0,1,2,0\n"), Err(DataError::IndexColumn));
    assert_eq!(
        DataError::IndexColumn.to_string(),
        "line 1: the first column has no name, as pandas and R write a row index (write the file with pandas' `to_csv(path, index=False)` or R's `write.csv(frame, path, row.names = FALSE)`)"
    );
    for headless in [
        "1.5,2.5,0\n3.5,4.5,1\n",
        "1.000000000000000000e+00,2.5e-01,0.0e+00\n1,2,1\n",
        "\"1\",\"2\",\"0\"\n3,4,1\n",
    ] {
        assert_eq!(parse(headless), Err(DataError::NoHeader), "{headless}");
    }
    assert!(
        DataError::NoHeader
            .to_string()
            .starts_with("line 1 holds numbers, not column names")
    );
    // A first sample with a missing value, a NaN or an overflow is still no header.
    for headless in [
        "1,2,NaN\n3,4,1\n",
        "1,,0\n3,4,1\n",
        "1e999,2,0\n3,4,1\n",
        "1,inf,0\n3,4,1\n",
    ] {
        assert_eq!(parse(headless), Err(DataError::NoHeader), "{headless}");
    }
    // R's `write.csv`: quoted names, and row names in a first column named "".
    assert_eq!(
        parse("\"\",\"a\",\"y\"\n\"1\",1.5,0\n"),
        Err(DataError::IndexColumn)
    );
    // The byte-order mark a spreadsheet writes first: neither a name nor part of a number.
    assert_eq!(
        parse("\u{feff}1.5,2.5,0\n3.5,4.5,1\n"),
        Err(DataError::NoHeader)
    );
    let marked = parse("\u{feff}a,b,y\n1.5,2.5,0\n").unwrap();
    assert_eq!(marked.features, vec![[1.5, 2.5]]);
    // pandas' default names for a frame built from an array: a header, from three columns.
    let data = parse("0,1,2\n1.5,2.5,0\n3.5,4.5,1\n").unwrap();
    assert_eq!(data.len(), 2);
    // Two columns `0,1` are as likely a first sample (feature 0, class 1): refused, not
    // guessed, whatever follows; `1,0` is a sample.
    for text in ["0,1\n0.5,1\n0.7,0\n", "0,1\n", " 0 , 1 \n2,1\n"] {
        assert_eq!(
            Dataset::<1>::from_csv(text),
            Err(DataError::NumberedHeader),
            "{text:?}"
        );
    }
    assert_eq!(
        Dataset::<1>::from_csv("1,0\n0.5,1\n"),
        Err(DataError::NoHeader)
    );
    assert!(
        DataError::NumberedHeader
            .to_string()
            .contains("name the columns")
    );
    // Names of any length or encoding: never parsed.
    let long = format!("{},b,y\n1,2,0\n", "a".repeat(300));
    assert_eq!(parse(&long).unwrap().len(), 1);
    assert_eq!(
        Dataset::<2>::from_csv_bytes(b"temp\xe9rature,b,y\n1,2,0\n")
            .unwrap()
            .len(),
        1
    );
    // Another separator.
    for (text, separator) in [("a;b;y\n1,5;2;0\n", ';'), ("a\tb\ty\n1\t2\t0\n", '\t')] {
        assert_eq!(
            parse(text),
            Err(DataError::Separator { separator }),
            "{text}"
        );
    }
    assert!(
        DataError::Separator { separator: ';' }
            .to_string()
            .contains("separates its columns with ';'")
    );
    // Spaces, as numpy's `savetxt` writes by default, with or without its `# ` header; a
    // single name holding spaces, in a file of another width, stays a width error.
    let numpy = "1.000000000000000000e+00 2.000000000000000000e+00 0.000000000000000000e+00\n";
    for text in [numpy.to_string(), format!("# a b y\n{numpy}")] {
        let err = parse(&text).unwrap_err();
        assert_eq!(err, DataError::Separator { separator: ' ' }, "{text}");
        assert!(
            err.to_string()
                .contains("separates its columns with spaces"),
            "{err}"
        );
    }
    // A header of one name with a space, for one feature and a target: a missing column.
    for text in ["sepal length\n5.1,0\n", "petal width\n0.2\n"] {
        assert_eq!(
            Dataset::<1>::from_csv(text),
            Err(DataError::HeaderWidth {
                expected: 2,
                found: 1
            }),
            "{text}"
        );
    }
    assert_eq!(
        parse("sepal length\n1\n"),
        Err(DataError::HeaderWidth {
            expected: 3,
            found: 1
        })
    );
    assert_eq!(
        parse("a b c d\n1 2 3 4\n"),
        Err(DataError::HeaderWidth {
            expected: 3,
            found: 1
        })
    );
    // One name among numbers is a header too.
    assert_eq!(parse("1,2,y\n1.5,2.5,0\n").unwrap().len(), 1);
}

/// UTF-16 text (Excel's "Unicode Text"), with or without its byte-order mark, in either byte
/// order, is named as such instead of as a field that is not a number.
#[test]
fn utf16_text_is_named() {
    let text = "a,b,y\n1,2,0\n";
    let little: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let big: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for bytes in [
        [&[0xFF, 0xFE][..], &little].concat(),
        [&[0xFE, 0xFF][..], &big].concat(),
        little,
        big,
    ] {
        let err = Dataset::<2>::from_csv_bytes(&bytes).unwrap_err();
        assert_eq!(err, DataError::Utf16);
        assert!(err.to_string().contains("UTF-16"), "{err}");
    }
    // UTF-8 text of three bytes or fewer, or with a zero byte further on, is not taken for it.
    assert!(matches!(
        Dataset::<2>::from_csv_bytes(b"a,b"),
        Err(DataError::HeaderWidth { .. })
    ));
}

#[test]
fn lines_are_counted_from_1_across_blank_lines_crlf_and_cr() {
    let text = "a,b,y\r\n\r\n1,2,0\r\n   \r\n\r\n3,x,1\r\n";
    assert_eq!(
        parse(text),
        Err(DataError::NotANumber {
            line: 6,
            column: 2,
            text: "x".to_string()
        })
    );
    // Lines ended by `\r` alone, as old Mac programs write them.
    assert_eq!(
        parse("a,b,y\r1,2,0\r\r3,x,1\r"),
        Err(DataError::NotANumber {
            line: 4,
            column: 2,
            text: "x".to_string()
        })
    );
    let ok = parse("a,b,y\n\n1, 2 ,0\n\n\"3\",4,1").unwrap();
    assert_eq!(ok.features, vec![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(ok.targets, vec![0.0, 1.0]);
}

#[test]
fn bytes_that_are_not_utf8_are_located() {
    let bytes = b"a,b,y\n1,2,0\n1,\xff\xfe,0\n";
    let err = Dataset::<2>::from_csv_bytes(bytes).unwrap_err();
    assert_eq!(err, DataError::NotUtf8 { line: 3, column: 2 });
    assert_eq!(err.to_string(), "line 3, column 2: not UTF-8 text");
    let long = format!("a,b,y\n1,{},0\n", "9".repeat(200));
    assert_eq!(
        parse(&long),
        Err(DataError::FieldTooLong { line: 2, column: 2 })
    );
}

/// A quote that opens a field and is never closed on its line: CSV reads on to the next
/// quote, swallowing rows, which is named as what it is, long or short.
#[test]
fn an_unclosed_quote_is_named_at_its_line() {
    let rows = "3,4,1\n".repeat(100);
    for (text, line, column) in [
        (format!("a,b,y\n1,2,0\n\"3,4,1\n{rows}"), 3, 1),
        ("a,b,y\n1,2,0\n5,\"6,1\n7,8,0\n".to_string(), 3, 2),
        ("a,b,y\n1,2,0\n5,6,\"1\r\n7,8,0\r\n".to_string(), 3, 3),
        (format!("a,\"b,y\n{rows}"), 1, 2),
        // On the last line, with or without a line break: the text ends inside the quote.
        ("a,b,y\n1,2,0\n3,4,\"1\n".to_string(), 3, 3),
        ("a,b,y\n1,2,0\n3,4,\"1".to_string(), 3, 3),
        ("a,b,y\n1,2,0\n3,4,\"1\"\"2\n".to_string(), 3, 3),
        ("a,b,y\n1,2,0\n\"3,4,1\n".to_string(), 3, 1),
    ] {
        let err = parse(&text).unwrap_err();
        assert_eq!(err, DataError::UnclosedQuote { line, column }, "{text:?}");
    }
    assert_eq!(
        DataError::UnclosedQuote { line: 3, column: 1 }.to_string(),
        "line 3, column 1: a quote opens this field and none closes it on its line"
    );
    // Quotes closed on their line are fields like any other, up to the last line.
    let ok = parse("\"a\",b,\"y\"\n\"1\",2,\"0\"\r\n3,\"4\",1").unwrap();
    assert_eq!(ok.features, vec![[1.0, 2.0], [3.0, 4.0]]);
    let ok = parse("a,b,y\n1,2,0\n3,4,\"1\"").unwrap();
    assert_eq!(ok.targets, vec![0.0, 1.0]);
}

#[test]
fn class_errors_name_the_target_by_its_index() {
    let data = parse("a,b,y\n1,2,0\n1,2,1.5\n").unwrap();
    let err = data.classes().unwrap_err();
    // From 0, as the trainer's and the evaluations' errors count samples.
    assert_eq!(
        err,
        DataError::NotAClass {
            sample: 1,
            value: 1.5
        }
    );
    assert_eq!(
        err.to_string(),
        "targets[1] is 1.5: not a class index (0, 1, 2, ...)"
    );
}

#[test]
fn the_standardizer_is_returned_and_saved_with_the_model() {
    let rows: String = (0..20)
        .map(|i| format!("{},{},{}\n", i, 100 - 3 * i, i % 2))
        .collect();
    let data = parse(&format!("a,b,y\n{rows}")).unwrap();
    let (train, test, scaler) = data.standardized_split();
    assert_eq!(train.len() + test.len(), 20);
    // A new input is standardised exactly as the test set was.
    let raw = data.features[5];
    assert_eq!(scaler.transform(&raw), test.features[1]);

    let model = Linear::<2, 2>::glorot(&mut SmallRng::seed_from_u64(1));
    let path = std::env::temp_dir().join(format!("typed-nn-test-{}.bin", std::process::id()));
    io::save(&path, &(scaler.clone(), model.clone())).unwrap();
    let mut loaded = (
        typed_nn::data::Standardizer::<2>::ZERO,
        Linear::<2, 2>::ZERO,
    );
    io::load(&path, &mut loaded).unwrap();
    assert_eq!(loaded, (scaler, model));
    // Another shape is an error naming the file, and changes nothing.
    let mut other = Linear::<2, 3>::ZERO;
    let err = io::load(&path, &mut other).unwrap_err();
    assert!(err.to_string().starts_with(&path.display().to_string()));
    assert_eq!(other, Linear::<2, 3>::ZERO);
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(
        io::load(&path, &mut other),
        Err(io::FileError::Io { .. })
    ));
}

/// A feature whose deviation is below f32's normal numbers keeps its scale, as a constant one
/// does: standardising never divides by zero or overflows.
#[test]
fn a_feature_that_barely_varies_standardises_to_finite_values() {
    let s = typed_nn::data::Standardizer::fit(&[[1e-45f32, 3.0], [0.0, 3.0]]);
    assert_eq!(s.std, [1.0, 1.0]);
    assert!(s.transform(&[1e-45, 3.0]).iter().all(|v| v.is_finite()));
    let empty: [[f32; 2]; 0] = [];
    assert_eq!(typed_nn::data::Standardizer::fit(&empty).std, [1.0, 1.0]);
}

/// A feature of one value has a deviation of 0, whatever the rounding of its mean: seven 0.1s
/// have a mean 1e-17 away from 0.1 in f64, which as a deviation would scale the feature by
/// 7e15. It standardises to exactly 0, at every count of samples, in both float types.
#[test]
fn a_constant_feature_standardises_to_zero_at_every_count() {
    use typed_nn::data::Standardizer;
    for n in 1..=64 {
        for value in [0.1f32, 0.3, 0.7, 2.2, -1e-3] {
            let rows = vec![[value, n as f32]; n];
            let s = Standardizer::fit(&rows);
            assert_eq!((s.mean[0], s.std[0]), (value, 1.0), "{n} x {value}");
            assert_eq!(s.transform(&[value, 0.0])[0], 0.0);
            let wide = vec![[f64::from(value)]; n];
            let s = Standardizer::fit(&wide);
            assert_eq!(
                (s.mean[0], s.std[0]),
                (f64::from(value), 1.0),
                "{n} x {value}"
            );
        }
    }
    // A feature that does vary keeps its own deviation, however small against its mean.
    let s = Standardizer::fit(&[[1.0f32], [1.000_000_1]]);
    assert!(s.std[0] > 0.0 && s.std[0] < 1e-6, "{}", s.std[0]);
    // One that spans all of f64 is scaled by the largest float, into [-1, 1].
    let s = Standardizer::fit(&[[f64::MAX], [-f64::MAX]]);
    assert_eq!(s.std[0], f64::MAX);
    assert!(s.transform(&[f64::MAX])[0] <= 1.0 && s.transform(&[-f64::MAX])[0] >= -1.0);
}

/// Numbers are parsed in the data set's own type: no double rounding through f64, and the
/// largest f32 written out in full is f32::MAX, not an overflow.
#[test]
fn f32_fields_are_rounded_once() {
    let data = Dataset::<1>::from_csv("x,y\n1.00000005960464477539062500000001,0\n").unwrap();
    assert_eq!(data.features[0][0], 1.000_000_1f32);
    let data = Dataset::<1>::from_csv("x,y\n340282356779733661637539395458142568447,0\n").unwrap();
    assert_eq!(data.features[0][0], f32::MAX);
    let wide = Dataset::<1, f64>::from_csv("x,y\n1.00000005960464477539062500000001,0\n").unwrap();
    assert_eq!(wide.features[0][0], 1.000_000_059_604_644_8f64);
}

/// Features near the top of f64's range standardise: their squares would overflow.
#[test]
fn features_near_the_top_of_f64_standardise() {
    let big = [[1e200f64], [-1e200], [3e199], [-3e199], [0.0]];
    let s = typed_nn::data::Standardizer::fit(&big);
    let expected = (2.0 * (1e200f64 / 1e199).powi(2) + 2.0 * 9.0) / 5.0;
    let expected = expected.sqrt() * 1e199;
    assert!(
        (s.std[0] / expected - 1.0).abs() < 1e-12,
        "{} vs {expected}",
        s.std[0]
    );
}

#[test]
fn a_target_named_first_class_names_and_missing_values_say_what_they_are() {
    // The label first, as a file written with its columns reordered: its target would be
    // read as a feature and its last feature as the target.
    for name in ["label", "Species", "y", " target "] {
        let text = format!("{name},a,b\n0,1,2\n");
        assert_eq!(
            parse(&text),
            Err(DataError::TargetFirst {
                name: name.trim().to_string()
            }),
            "{name}"
        );
    }
    let message = parse("class,a,b\n0,1,2\n").unwrap_err().to_string();
    assert!(
        message.contains("the target is the last column"),
        "{message}"
    );
    // A target's name last, or no name that is a target's: the columns are as they should be.
    assert!(parse("y,a,label\n1,2,0\n").is_ok());
    assert!(parse("a,b,y\n1,2,0\n").is_ok());
    assert!(parse("a,b,species_id\n1,2,0\n").is_ok());
    // A class name where a class index belongs, in the target column only.
    assert_eq!(
        parse("a,b,species\n1,2,setosa\n"),
        Err(DataError::TargetNotANumber {
            line: 2,
            column: 3,
            text: "setosa".to_string()
        })
    );
    let message = parse("a,b,species\n1,2,setosa\n").unwrap_err().to_string();
    assert!(message.contains("class index"), "{message}");
    assert_eq!(
        parse("a,b,y\n1,blue,0\n"),
        Err(DataError::NotANumber {
            line: 2,
            column: 2,
            text: "blue".to_string()
        })
    );
    // An empty field, in a feature or the target, and spaces alone: a missing value.
    for (row, column) in [(",2,0", 1), ("1, ,0", 2), ("1,2,", 3)] {
        let text = format!("a,b,y\n1,2,0\n{row}\n");
        assert_eq!(
            parse(&text),
            Err(DataError::Missing { line: 3, column }),
            "{row}"
        );
    }
    let message = parse("a,b,y\n1,,0\n").unwrap_err().to_string();
    assert!(message.contains("missing value"), "{message}");
    // A huge target is written as a person writes it, not in 301 digits.
    let huge = Dataset::<1, f64>::from_csv("x,y\n1,0\n2,1e300\n").unwrap();
    assert_eq!(
        huge.classes().unwrap_err().to_string(),
        "targets[1] is 1e300: not a class index (0, 1, 2, ...)"
    );
}

#[cfg(unix)]
#[test]
fn devices_of_binary_bytes_are_refused_and_pipes_read_to_their_end() {
    use std::io::Write;
    // Devices that never end: refused as not text once a block holds a zero byte.
    let zeros = Dataset::<2>::load("/dev/zero").unwrap_err();
    assert_eq!(zeros.cause(), &DataError::NotText { offset: 0 });
    assert!(
        zeros
            .to_string()
            .starts_with("/dev/zero: byte 0 is a zero byte"),
        "{zeros}"
    );
    let err = Dataset::<2>::load("/dev/urandom").unwrap_err();
    assert!(matches!(err, DataError::InFile { .. }), "{err}");
    // A named pipe of CSV text, longer than a block: every row read.
    let rows = 20_000;
    let mut text = String::from("a,b,y\n");
    for i in 0..rows {
        text.push_str(&format!("{i},{},{}\n", i * 2, i % 3));
    }
    let (path, writer) = common::pipe("csv-pipe", move |pipe| {
        pipe.write_all(text.as_bytes()).unwrap();
    });
    let data = Dataset::<2>::load(&path).unwrap();
    writer.join().unwrap();
    assert_eq!(data.len(), rows);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_zero_byte_is_binary_data_not_text_nor_utf16() {
    let zeros = Dataset::<2>::from_csv_bytes(&[0; 16]);
    assert_eq!(zeros, Err(DataError::NotText { offset: 0 }));
    let late = Dataset::<2>::from_csv_bytes(b"a,b,y\n1,2,0\0\n");
    assert_eq!(late, Err(DataError::NotText { offset: 11 }));
    assert_eq!(
        late.unwrap_err().to_string(),
        "byte 11 is a zero byte, which no text holds: the file is binary data, not CSV"
    );
    // UTF-16 is still named as such, without its byte-order mark too, in either byte order
    // and with names beyond Latin-1 (zeros only at the separators).
    let little =
        |text: &str| -> Vec<u8> { text.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let big = |text: &str| -> Vec<u8> { text.encode_utf16().flat_map(u16::to_be_bytes).collect() };
    let long = "花萼长度厘米值,花萼宽度厘米值,花瓣长度厘米值,种类\n1,2,0\n";
    let texts = [
        "a,b,y\n1,2,0\n",
        "é,b,y\n1,2,0\n",
        "長さ,幅,種類\n1,2,0\n",
        long,
    ];
    // Characters whose codes end in a zero byte: 一 U+4E00, 가 U+AC00, Ā U+0100.
    let zero_ended = [
        "特征一,特征二,标签\n1,2,0\n",
        "가격,면적,라벨\n1,2,0\n",
        "Ā,b,y\n1,2,0\n",
    ];
    for text in texts.into_iter().chain(zero_ended) {
        assert_eq!(
            Dataset::<2>::from_csv_bytes(&little(text)),
            Err(DataError::Utf16),
            "{text}"
        );
        assert_eq!(
            Dataset::<2>::from_csv_bytes(&big(text)),
            Err(DataError::Utf16),
            "{text}"
        );
    }
    // Zeros on both sides of the pairs: binary.
    let mixed = [b'a', b',', 0, 0, b'b', b',', b'y', b'\n'];
    assert_eq!(
        Dataset::<2>::from_csv_bytes(&mixed),
        Err(DataError::NotText { offset: 2 })
    );
}

#[test]
fn files_written_by_other_tools_are_named_for_what_they_hold() {
    // numpy's header starts with `# `: a target named first is still found.
    let numpy = Dataset::<2>::from_csv("# label,x1,x2\n0,1.5,2\n");
    assert_eq!(
        numpy,
        Err(DataError::TargetFirst {
            name: "label".into()
        })
    );
    // The iris file of R's `datasets` as Kaggle spreads it names its species `variety`.
    assert_eq!(
        Dataset::<2>::from_csv("variety,x1,x2\n0,1.5,2\n"),
        Err(DataError::TargetFirst {
            name: "variety".into()
        })
    );
    // pandas' index read back and written again: by its name, whatever the width.
    for text in [
        "Unnamed: 0,a,b,y\n7,1,2,1\n",
        "# Unnamed: 0,a,b,y\n7,1,2,1\n",
    ] {
        let two = Dataset::<2>::from_csv(text).unwrap_err();
        let three = Dataset::<3>::from_csv(text).unwrap_err();
        for err in [two, three] {
            assert_eq!(
                err,
                DataError::RowIdColumn {
                    name: "Unnamed: 0".into()
                }
            );
            assert!(err.to_string().contains("index_col=0"), "{err}");
        }
    }
    // A reset index or an id, when its values count the rows (from 0 or from 1).
    for name in ["index", "Id", "ID", "# id"] {
        for first in [0, 1] {
            let rows: String = (0..3)
                .map(|i| format!("{},{}.5,2,1\n", first + i, i))
                .collect();
            let err = Dataset::<3>::from_csv(&format!("{name},a,b,y\n{rows}")).unwrap_err();
            let bare = name.trim_start_matches("# ");
            assert_eq!(err, DataError::RowIdColumn { name: bare.into() }, "{name}");
            assert!(err.to_string().contains("numbers the rows"), "{err}");
            assert!(!err.to_string().contains("index_col"), "{err}");
        }
    }
    // One column too many for the model: the id is the column too many, and named so.
    for name in ["id", "index"] {
        let err = Dataset::<2>::from_csv(&format!("{name},a,b,y\n0,1,2,0\n1,3,4,1\n")).unwrap_err();
        assert_eq!(err, DataError::RowIdColumn { name: name.into() }, "{err}");
    }
    // Unless it does not count the rows, or the width is off by more.
    assert_eq!(
        Dataset::<2>::from_csv("id,a,b,y\n7,1,2,0\n3,3,4,1\n"),
        Err(DataError::HeaderWidth {
            expected: 3,
            found: 4
        })
    );
    assert_eq!(
        Dataset::<1>::from_csv("id,a,b,y\n0,1,2,0\n1,3,4,1\n"),
        Err(DataError::HeaderWidth {
            expected: 2,
            found: 4
        })
    );
    // A boolean target, as pandas writes a column of `bool`.
    let err = Dataset::<1>::from_csv("x,y\n1,True\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 2, column 2: the target \"True\" is a boolean, not a number; a classifier's target is a class index (write it as 0 or 1, as pandas' `astype(int)` does)"
    );
    // A feature named so, whose values do not count the rows, is read; so is one row.
    assert!(Dataset::<2>::from_csv("index,x,y\n5.2,1,0\n7.1,2,1\n").is_ok());
    assert!(Dataset::<2>::from_csv("id,x,y\n0,1,0\n2,2,1\n").is_ok());
    assert!(Dataset::<2>::from_csv("id,x,y\n0,1,0\n").is_ok());
    // A name that only contains "id" is a feature.
    assert!(Dataset::<2>::from_csv("idle,b,y\n0,1,2\n1,1,2\n").is_ok());
    // Every line ending in a comma, at either width.
    let trailing = "a,b,y,\n1,2,0,\n";
    assert_eq!(
        Dataset::<2>::from_csv(trailing),
        Err(DataError::TrailingSeparator)
    );
    assert_eq!(
        Dataset::<3>::from_csv(trailing),
        Err(DataError::TrailingSeparator)
    );
    // Rows ending in a comma under a header that does not: named as that, at the first such
    // row; a row with a full field there is one column too many.
    let rows_trailing = "a,b,y\n1,2,0\n3,4,1,\n";
    let err = Dataset::<2>::from_csv(rows_trailing).unwrap_err();
    assert_eq!(
        err,
        DataError::RowEndsInSeparator {
            line: 3,
            expected: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "line 3: the line ends in a comma, and the empty field after it makes 4 columns where the header names 3 (write the file without the trailing separator)"
    );
    assert_eq!(
        Dataset::<2>::from_csv("a,b,y\n1,2,0,5\n"),
        Err(DataError::Width {
            line: 2,
            expected: 3,
            found: 4
        })
    );
    assert_eq!(
        Dataset::<2>::from_csv("a,b,y\n1,2,0,,\n"),
        Err(DataError::Width {
            line: 2,
            expected: 3,
            found: 5
        })
    );
    // An unnamed target column whose rows are full is read; a first row without a target,
    // in a file without a header, is named as that.
    let unnamed_target = Dataset::<2>::from_csv("x1,x2,\n1,2,0\n3,4,1\n").unwrap();
    assert_eq!(unnamed_target.targets, vec![0.0, 1.0]);
    assert_eq!(
        Dataset::<2>::from_csv("1,2,\n3,4,5\n"),
        Err(DataError::NoHeader)
    );
    // A one-column name that starts with `#` over a number is a width error, not numpy's.
    assert_eq!(
        Dataset::<2>::from_csv("# of rooms\n3\n"),
        Err(DataError::HeaderWidth {
            expected: 3,
            found: 1
        })
    );
    // numpy's spaces, named whatever the width expected.
    for text in ["# a b c y\n1 2 3 0\n", "1 2 3 0\n4 5 6 1\n"] {
        assert_eq!(
            Dataset::<2>::from_csv(text),
            Err(DataError::Separator { separator: ' ' }),
            "{text}"
        );
        assert_eq!(
            Dataset::<5>::from_csv(text),
            Err(DataError::Separator { separator: ' ' }),
            "{text}"
        );
    }
    // A header name with a space in it stays a width error.
    assert_eq!(
        Dataset::<2>::from_csv("sepal length\n1\n"),
        Err(DataError::HeaderWidth {
            expected: 3,
            found: 1
        })
    );
}

#[test]
fn european_decimals_booleans_and_f32_overflow_say_what_to_do() {
    let semicolons = Dataset::<2>::from_csv("a;b;y\n5,1;2,0;1\n").unwrap_err();
    assert!(
        semicolons.to_string().contains("decimal=\".\""),
        "{semicolons}"
    );
    let decimal_comma = Dataset::<2>::from_csv("a,b,y\n\"5,13\",2,0\n").unwrap_err();
    assert_eq!(
        decimal_comma.to_string(),
        "line 2, column 1: \"5,13\" is not a number (a decimal comma: write numbers with a decimal point, as pandas' `decimal=\".\"` does)"
    );
    let boolean = Dataset::<2>::from_csv("a,b,y\nTrue,2,0\n").unwrap_err();
    assert!(
        boolean
            .to_string()
            .ends_with("(a boolean: write it as 0 or 1, as pandas' `astype(int)` does)"),
        "{boolean}"
    );
    let word = Dataset::<2>::from_csv("a,b,y\nred,2,0\n").unwrap_err();
    assert!(
        word.to_string().ends_with("\"red\" is not a number"),
        "{word}"
    );
    // R's NA, the UCI repository's `?` and pandas' `<NA>`, in a feature or the target: a
    // missing value, not a class name.
    for (text, column) in [
        ("a,b,y\nNA,2,0\n", 1),
        ("a,b,y\n1,?,0\n", 2),
        ("a,b,y\n1,2,<NA>\n", 3),
    ] {
        let missing = Dataset::<2>::from_csv(text).unwrap_err();
        assert!(
            matches!(missing, DataError::NotANumber { line: 2, column: c, .. } if c == column),
            "{missing:?}"
        );
        assert!(missing.to_string().ends_with("(a missing value: drop or fill such rows before writing the file, as pandas' `dropna()` does)"), "{missing}");
    }
    // numpy's `savetxt` writes a missing value as `nan`.
    let nan = Dataset::<2>::from_csv("a,b,y\n1,nan,0\n").unwrap_err();
    assert!(
        nan.to_string()
            .contains("is not a finite number of this float type (a missing value"),
        "{nan}"
    );
    let big = Dataset::<2>::from_csv("a,b,y\n1e39,2,0\n").unwrap_err();
    assert!(big.to_string().contains("`Dataset::<D, f64>`"), "{big}");
    assert!(Dataset::<2, f64>::from_csv("a,b,y\n1e39,2,0\n").is_ok());
    let infinite = Dataset::<2, f64>::from_csv("a,b,y\n1e400,2,0\n").unwrap_err();
    assert!(!infinite.to_string().contains("f64`"), "{infinite}");
}

/// A fitted standardizer in front of a model is one model of raw features: for samples and
/// batches, for `accuracy`, and through a saved file.
#[test]
fn a_scaler_in_front_of_a_model_runs_on_raw_features() {
    use typed_nn::data::Standardizer;
    use typed_nn::eval::accuracy;
    let raw: Vec<[f32; 3]> = (0..40)
        .map(|i| {
            let i = i as f32;
            [100.0 + i, -0.01 * i, (i * 0.7).sin() * 5.0]
        })
        .collect();
    let classes: Vec<usize> = (0..40).map(|i| i % 2).collect();
    let scaler = Standardizer::<3>::fit(&raw);
    let mut model = (Linear::<3, 4>::ZERO, Tanh, Linear::<4, 2>::ZERO);
    model.init(Scheme::Glorot, &mut SmallRng::seed_from_u64(3));
    let mut standardised = raw.clone();
    scaler.apply(&mut standardised);
    let deployed = (scaler.clone(), model.clone());
    for (x, s) in raw.iter().zip(&standardised) {
        assert_eq!(deployed.infer(x), model.infer(s));
    }
    let batch: [[f32; 3]; 4] = raw[..4].try_into().unwrap();
    let standardised_batch: [[f32; 3]; 4] = standardised[..4].try_into().unwrap();
    assert_eq!(deployed.infer(&batch), model.infer(&standardised_batch));
    assert_eq!(
        accuracy(&deployed, &raw, &classes),
        accuracy(&model, &standardised, &classes)
    );
    // Saved and loaded as one value, it runs the same.
    let path = std::env::temp_dir().join(format!("typed-nn-deployed-{}.bin", std::process::id()));
    io::save(&path, &deployed).unwrap();
    let mut back = (
        Standardizer::<3>::ZERO,
        <(Linear<3, 4>, Tanh, Linear<4, 2>)>::ZERO,
    );
    io::load(&path, &mut back).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(back.infer(&raw[7]), deployed.infer(&raw[7]));
    // A standardizer of no features passes its empty rows on.
    let none = Standardizer::<0>::fit(&[]);
    assert_eq!(none.infer(&[[0.0f32; 0]; 2]), [[0.0f32; 0]; 2]);
}

/// A compressed file or an archive (pandas compresses a file named `.gz`; a spreadsheet's
/// `.xlsx` is a zip) is named as what it is, with what to do, not as binary data.
#[test]
fn compressed_files_and_archives_are_named_as_such() {
    // `gzip.compress(b"a,b,y\n1,2,0\n", mtime=0)`, as Python writes it.
    let gzip: [u8; 32] = [
        31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 75, 212, 73, 210, 169, 228, 50, 212, 49, 210, 49, 224, 2,
        0, 89, 205, 237, 125, 12, 0, 0, 0,
    ];
    let err = Dataset::<2>::from_csv_bytes(&gzip).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file is gzip-compressed data (`.gz`), not CSV text: decompress it first (pandas compresses a file whose name ends in `.gz`, `.xz`, `.zst` or `.bz2`: write it to a name ending in `.csv`)"
    );
    for (start, format) in [
        (&b"BZh91AY&SY\x16\xc7"[..], "bzip2-compressed data (`.bz2`)"),
        (b"\xfd7zXZ\x00\x00\x04", "xz-compressed data (`.xz`)"),
        (b"\x28\xb5\x2f\xfd\x00", "zstd-compressed data (`.zst`)"),
        (
            b"PK\x03\x04\x14\x00",
            "a zip archive (`.zip`, or a spreadsheet's `.xlsx`)",
        ),
    ] {
        let err = Dataset::<2>::from_csv_bytes(start).unwrap_err();
        assert_eq!(err, DataError::Compressed { format });
    }
    let zip = Dataset::<2>::from_csv_bytes(b"PK\x03\x04\x14\x00").unwrap_err();
    assert!(
        zip.to_string().ends_with(
            "extract the CSV file from it (or, from a spreadsheet, save the sheet as \"CSV UTF-8\")"
        ),
        "{zip}"
    );
    // A column whose name begins as bzip2's magic does is a name.
    let data = Dataset::<1>::from_csv("BZh9,y\n1,0\n").unwrap();
    assert_eq!(data.features, vec![[1.0]]);
}

/// A feature whose values lie further from their mean than the float type holds (-3e38 from
/// a mean of 1e38 in f32; -1.7e308 from 5.7e307 in f64) standardises to finite values with its
/// own deviation: neither the fit nor the transform overflows on the difference.
#[test]
fn values_further_from_the_mean_than_the_type_holds_standardise() {
    use typed_nn::data::Standardizer;
    let s = Standardizer::fit(&[[-3e38f32], [3e38], [3e38]]);
    let std = 6e38 * 2f64.sqrt() / 3.0;
    assert!((f64::from(s.std[0]) / std - 1.0).abs() < 1e-6, "{:?}", s);
    let low = s.transform(&[-3e38])[0];
    assert!((low + 2f32.sqrt()).abs() < 1e-5, "{low}");
    assert!((s.transform(&[3e38])[0] - 1.0 / 2f32.sqrt()).abs() < 1e-5);
    // A value outside the fitted range, the same distance past it.
    let wide = Standardizer::fit(&[[3e38f32], [2e38]]);
    let past = wide.transform(&[-3e38])[0];
    assert!(past.is_finite() && (past + 11.0).abs() < 1e-4, "{past}");

    let s = Standardizer::fit(&[[-1.7e308f64], [1.7e308], [1.7e308]]);
    // The deviation, 1.6e308, is within f64's range and is kept.
    let std = 1.7e308f64 / 3.0 * 2.0 * 2f64.sqrt();
    assert!((s.std[0] / std - 1.0).abs() < 1e-12, "{:?} {std}", s);
    let low = s.transform(&[-1.7e308])[0];
    assert!((low + 2f64.sqrt()).abs() < 1e-12, "{low}");
}

/// Excel's `sep=` first line is named as such, with the separator it declares, rather than
/// read as a header of two columns (`sep=` and an empty name) or one.
#[test]
fn an_excel_separator_line_is_named() {
    let err = Dataset::<2>::from_csv("sep=,\na,b,y\n1,2,0\n").unwrap_err();
    assert_eq!(err, DataError::SeparatorLine { separator: ',' });
    let message = err.to_string();
    assert!(message.starts_with("line 1 is `sep=,`"), "{message}");
    assert!(message.contains("delete the line"), "{message}");
    for (text, separator) in [
        ("SEP=;\r\na;b;y\r\n1;2;0\r\n", ';'),
        ("sep=\t\na\tb\ty\n", '\t'),
    ] {
        let err = Dataset::<2>::from_csv(text).unwrap_err();
        assert_eq!(err, DataError::SeparatorLine { separator }, "{text:?}");
    }
    let semicolons = Dataset::<2>::from_csv("sep=;\na;b;y\n1,5;2;0\n").unwrap_err();
    assert!(
        semicolons.to_string().contains("decimal=\".\""),
        "{semicolons}"
    );
    // A header whose first name begins with `sep=` is a header.
    let data = Dataset::<2>::from_csv("sep=a,b,y\n1,2,0\n").unwrap();
    assert_eq!(data.features, vec![[1.0, 2.0]]);
}
