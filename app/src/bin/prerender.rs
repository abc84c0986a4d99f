//! Prints the site's first view (the calculator in its default state) as HTML, computed by
//! the same components and core as the site: `scripts/build-site.sh` puts it into
//! `dist/index.html`.
//!
//!   cargo run -p roofline-app --no-default-features --features ssr --bin prerender

fn main() {
    println!("{}", roofline_app::prerender());
}
