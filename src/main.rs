// mimalloc: many small allocations per request; glibc's malloc showed as a tenth of the
// server's time under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    masa::cli::main()
}
