//! Arrangements: a partnership's structure over time (areas, partners, organisations, posts,
//! bodies, memberships, rules) and its published text, kept as a file that people can read and
//! edit (docs/arrangements-format.md), checked line by line.

pub mod model;
pub mod store;

/// `masa arrangements check FILE`: every problem, with its line. Returns the number of problems.
pub fn check_file(path: &std::path::Path) -> Result<usize, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match model::parse(&bytes) {
        Ok(a) => {
            println!(
                "{}: fine ({} organisations, {} bodies, {} memberships)",
                path.display(),
                a.organisations.len(),
                a.bodies.len(),
                a.memberships.len()
            );
            Ok(0)
        }
        Err(problems) => {
            for p in &problems {
                println!("{}:{}: {}", path.display(), p.line, p.message);
            }
            Ok(problems.len())
        }
    }
}
