fn main() -> std::process::ExitCode {
    masa::cli::main()
}
