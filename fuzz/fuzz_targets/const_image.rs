//! `ConstImage`, the compile-time reader firmware uses, run at run time on any bytes and any
//! claimed parameter count: a model or an error, never a panic or an overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typed_nn::io::ConstImage;

fuzz_target!(|input: (&[u8], usize)| {
    let (bytes, count) = input;
    for claimed in [count, 13, usize::MAX, usize::MAX / 2] {
        match ConstImage::new(bytes, claimed) {
            Ok(mut image) => {
                // 13 parameters are a Linear<2, 3> (9) and a Linear<3, 1> (4); reading them
                // from any image the reader accepted must not panic.
                if claimed == 13 {
                    let _ = image.linear::<2, 3>();
                    let _ = image.linear::<3, 1>();
                    let _ = image.finish();
                }
            }
            Err(e) => assert!(!format!("{e}").is_empty()),
        }
    }
});
