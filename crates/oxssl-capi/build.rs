//! Compiles the C part of the ABI: `BIO_printf` & co (C varargs). They are in the static
//! library; the shared libraries that export them are linked from it by `install.sh`
//! (rustc's cdylib exports Rust symbols only).

fn main() {
    println!("cargo:rerun-if-changed=src/shim/printf.c");
    cc::Build::new()
        .file("src/shim/printf.c")
        .warnings(true)
        .compile("oxssl_capi_printf");
}
